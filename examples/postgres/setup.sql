-- What the producer owns before meshgate runs: meshgate never creates roles,
-- schemas or tables.  Run as a superuser; meshgate connects as "owner".
CREATE ROLE owner LOGIN PASSWORD 'owner-secret';
CREATE ROLE analyst LOGIN;
CREATE ROLE finance LOGIN;
CREATE ROLE bystander LOGIN;            -- not in the catalogue: meshgate never touches it
CREATE SCHEMA shop AUTHORIZATION owner;
CREATE SCHEMA customer_profiles AUTHORIZATION owner;
SET ROLE owner;
CREATE TABLE shop.orders (order_id int, order_date date, amount numeric, customer_email text, card_number text);
CREATE TABLE shop.payments (payment_id int, amount numeric);
CREATE TABLE shop.refunds (refund_id int, amount numeric, iban text);
CREATE TABLE customer_profiles.customers (customer_id int, country text, email text);
INSERT INTO shop.orders VALUES (1, '2026-01-02', 10.5, 'a@example.com', '4111111111111111');
INSERT INTO shop.payments VALUES (1, 10.5);
INSERT INTO shop.refunds VALUES (1, 2.5, 'DE89370400440532013000');
INSERT INTO customer_profiles.customers VALUES (1, 'DE', 'a@example.com');
GRANT USAGE ON SCHEMA shop TO bystander;
GRANT SELECT (order_id) ON shop.orders TO bystander;
RESET ROLE;
