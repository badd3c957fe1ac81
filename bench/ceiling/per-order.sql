-- One order's commits, one transaction per step, as a design without batching makes them
-- (issue 6's "order + outbox, saga, payment, saga update"): (1) the order, its line and
-- OrderCreated; (2) the saga, its first transitions and InitiatePayment; (3) the payment and
-- PaymentCompleted; (4) the saga's next state, its transition and ApproveOrder. The consumers'
-- inbox rows are left out, as in that measurement: the ceiling is higher, the ratio stricter.
-- pgbench's "tps" for this script is orders per second.
\set n random(1, 9000000000000000000)
\set m random(1, 9000000000000000000)
BEGIN;
INSERT INTO orders (id, status, currency, total_minor, created_at, updated_at)
  VALUES (lpad(to_hex(:n::bigint), 32, '0')::uuid, 'PENDING', 'INR', 10050, now(), now());
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_minor)
  VALUES (lpad(to_hex(:n::bigint), 32, '0')::uuid, 1, 'p1', 1, 10050);
INSERT INTO outbox (message_id, topic, message_key, message_type, envelope)
  VALUES (lpad(to_hex(:m::bigint), 32, '0')::uuid, 'order.created', :n::bigint::text, 'OrderCreated',
    '{"type":"OrderCreated","version":1,"payload":{"total":{"amountMinor":10050,"currency":"INR"}}}');
COMMIT;
BEGIN;
INSERT INTO order_sagas (order_id, state, amount_minor, currency, created_at, updated_at)
  VALUES (lpad(to_hex(:n::bigint), 32, '0')::uuid, 'PAYMENT_INITIATED', 10050, 'INR', now(), now());
INSERT INTO saga_transitions (order_id, from_state, to_state, occurred_at, causation_id)
  VALUES (lpad(to_hex(:n::bigint), 32, '0')::uuid, NULL, 'STARTED', now(), :m::bigint::text),
         (lpad(to_hex(:n::bigint), 32, '0')::uuid, 'STARTED', 'PAYMENT_INITIATED', now(), :m::bigint::text);
INSERT INTO outbox (message_id, topic, message_key, message_type, envelope)
  VALUES (lpad(to_hex(:m::bigint + 1), 32, '0')::uuid, 'payment.initiate', :n::bigint::text, 'InitiatePayment',
    '{"type":"InitiatePayment","version":1,"payload":{"amount":{"amountMinor":10050,"currency":"INR"}}}');
COMMIT;
BEGIN;
INSERT INTO payments (id, order_id, status, amount_minor, currency, provider_reference, created_at, updated_at)
  VALUES (lpad(to_hex(:m::bigint), 32, '0')::uuid, lpad(to_hex(:n::bigint), 32, '0')::uuid, 'COMPLETED', 10050, 'INR', 'sim', now(), now());
INSERT INTO outbox (message_id, topic, message_key, message_type, envelope)
  VALUES (lpad(to_hex(:m::bigint + 2), 32, '0')::uuid, 'payment.completed', :n::bigint::text, 'PaymentCompleted',
    '{"type":"PaymentCompleted","version":1,"payload":{"amount":{"amountMinor":10050,"currency":"INR"}}}');
COMMIT;
BEGIN;
UPDATE order_sagas SET state = 'PAYMENT_COMPLETED', updated_at = now()
  WHERE order_id = lpad(to_hex(:n::bigint), 32, '0')::uuid;
INSERT INTO saga_transitions (order_id, from_state, to_state, occurred_at, causation_id)
  VALUES (lpad(to_hex(:n::bigint), 32, '0')::uuid, 'PAYMENT_INITIATED', 'PAYMENT_COMPLETED', now(), :m::bigint::text);
INSERT INTO outbox (message_id, topic, message_key, message_type, envelope)
  VALUES (lpad(to_hex(:m::bigint + 3), 32, '0')::uuid, 'order.approve', :n::bigint::text, 'ApproveOrder',
    '{"type":"ApproveOrder","version":1,"payload":{}}');
COMMIT;
