// ajv-strict.js DIR - loads every *.schema.json of DIR into ajv (draft 2020-12) in strict
// mode, as a JavaScript editor or tool would, and compiles each: unknown keywords, required
// names no schema defines, ambiguous types and the like fail.  meshgate's own keyword
// x-message is declared (a tool that uses these schemas declares it too); union types
// ("type": ["string", "array"]) are valid JSON Schema and allowed with allowUnionTypes.
// Exits 1 and names each schema that does not compile.
"use strict";
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const fs = require("fs");
const path = require("path");

const dir = process.argv[2];
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addKeyword("x-message");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".schema.json")).sort();
const schemas = files.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
let bad = 0;
try {
  schemas.forEach((s) => ajv.addSchema(s));
} catch (e) {
  console.log("FAIL adding the schemas: " + e.message);
  process.exit(1);
}
files.forEach((f, i) => {
  try {
    ajv.getSchema(schemas[i].$id);
    console.log("ok " + f);
  } catch (e) {
    bad++;
    console.log("FAIL " + f + ": " + e.message);
  }
});
if (files.length === 0) {
  console.log("FAIL no schemas in " + dir);
  bad = 1;
}
process.exit(bad ? 1 : 0);
