# md2man.awk - turns the Markdown of docs/*.md into a man page (man(7) macros).
#
#   awk -v version=0.1.0 -v date=2026-12-03 -f cmake/md2man.awk docs/meshgate.md >meshgate.1
#
# It knows the subset the manual uses, and nothing more: a first line "# name(N)",
# "##" sections, "###" subsections, paragraphs, ``` blocks, "- " lists and tables
# (a two-column table becomes a tagged list, as man pages write options), with
# `code`, **bold**, *emphasis* and [links](...) inline.  Written in POSIX awk
# so the man pages are built from the docs on every build with nothing to
# install (pandoc would pull in a Haskell runtime just for this).

function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/—/, "\\(em", s)
	gsub(/–/, "\\(en", s)
	gsub(/→/, "\\(->", s)
	gsub(/…/, "...", s)
	gsub(/’/, "'", s)
	return s
}

# A line of text as roff: escapes, then the inline markup.
function inline(s,    out, c, n, i, j, rest, close_at, text, url) {
	s = esc(s)
	out = ""
	n = length(s)
	i = 1
	while (i <= n) {
		c = substr(s, i, 1)
		rest = substr(s, i + 1)
		if (c == "`") {
			close_at = index(rest, "`")
			if (close_at > 0) {
				text = substr(rest, 1, close_at - 1)
				gsub(/-/, "\\-", text)
				out = out "\\fB" text "\\fR"
				i += close_at + 1
				continue
			}
		} else if (c == "*" && substr(rest, 1, 1) == "*") {
			close_at = index(substr(rest, 2), "**")
			if (close_at > 0) {
				out = out "\\fB" substr(rest, 2, close_at - 1) "\\fR"
				i += close_at + 3
				continue
			}
		} else if (c == "*" && substr(rest, 1, 1) != " ") {
			close_at = index(rest, "*")
			if (close_at > 1) {
				out = out "\\fI" substr(rest, 1, close_at - 1) "\\fR"
				i += close_at + 1
				continue
			}
		} else if (c == "[") {
			close_at = index(rest, "](")
			if (close_at > 0) {
				text = substr(rest, 1, close_at - 1)
				j = index(substr(rest, close_at + 2), ")")
				if (j > 0) {
					url = substr(rest, close_at + 2, j - 1)
					out = out text
					if (url ~ /^https?:/)
						out = out " <" url ">"
					i += close_at + 2 + j
					continue
				}
			}
		}
		out = out c
		i++
	}
	# a line starting with . or ' would be a request
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function cells(line, arr,    k, m) {
	sub(/^[ \t]*\|/, "", line)
	sub(/\|[ \t]*$/, "", line)
	m = split(line, arr, /\|/)
	for (k = 1; k <= m; k++) {
		sub(/^[ \t]+/, "", arr[k])
		sub(/[ \t]+$/, "", arr[k])
	}
	return m
}

function flush_table(    r, k, m, body) {
	for (r = 1; r <= nrows; r++) {
		m = cells(rows[r], cell)
		print ".TP"
		print inline(cell[1])
		body = ""
		for (k = 2; k <= m; k++) {
			if (m > 2 && r > 0)
				body = body (k > 2 ? "; " : "") header[k] ": " cell[k]
			else
				body = body cell[k]
		}
		print inline(body)
	}
	nrows = 0
	in_table = 0
}

function para() {
	if (!at_para) {
		print ".PP"
		at_para = 1
	}
}

BEGIN {
	in_code = 0
	in_table = 0
	nrows = 0
	at_para = 1
}

NR == 1 {
	if (match($0, /^# [^(]+\([0-9]\)/)) {
		title = $0
		sub(/^# /, "", title)
		name = title
		sub(/\(.*/, "", name)
		section = title
		sub(/^[^(]*\(/, "", section)
		sub(/\).*/, "", section)
		printf ".\\\" generated from docs by cmake/md2man.awk; do not edit\n"
		printf ".TH \"%s\" \"%s\" \"%s\" \"meshgate %s\" \"meshgate manual\"\n", toupper(name), section, date, version
		print ".nh"
		next
	}
	print "md2man.awk: the first line must be '# name(N)'" > "/dev/stderr"
	exit 1
}

in_code {
	if ($0 ~ /^```/) {
		print ".fi"
		print ".RE"
		in_code = 0
		at_para = 0
		next
	}
	line = esc($0)
	gsub(/-/, "\\-", line)
	if (line ~ /^[.']/)
		line = "\\&" line
	print line
	next
}

/^```/ {
	if (in_table)
		flush_table()
	print ".PP"
	print ".RS 4"
	print ".nf"
	in_code = 1
	next
}

/^[ \t]*\|/ {
	if (!in_table) {
		in_table = 1
		nrows = 0
		hdr = $0
		header_pending = 1
		next
	}
	if (header_pending && $0 ~ /^[ \t|:-]+$/) {
		cells(hdr, header)
		header_pending = 0
		next
	}
	rows[++nrows] = $0
	next
}

{
	if (in_table)
		flush_table()
}

/^## / {
	cur_section = toupper(substr($0, 4))
	print ".SH \"" cur_section "\""
	at_para = 1
	next
}

/^### / {
	print ".SS \"" esc(substr($0, 5)) "\""
	at_para = 1
	next
}

/^[ \t]*$/ {
	at_para = 0
	in_list = 0
	next
}

/^- / {
	print ".IP \\(bu 2"
	print inline(substr($0, 3))
	in_list = 1
	at_para = 1
	next
}

{
	line = $0
	sub(/^ +/, "", line)
	if (!in_list)
		para()
	line = inline(line)
	# whatis(1) reads "name \- summary" from the NAME section
	if (cur_section == "NAME")
		gsub(/ \\\(em /, " \\- ", line)
	print line
}

END {
	if (in_table)
		flush_table()
	if (in_code) {
		print ".fi"
		print ".RE"
	}
}
