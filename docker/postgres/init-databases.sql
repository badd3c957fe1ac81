-- One database per service (the names of DEFAULT_DATABASE_NAMES in services/shared/config/config.ts).
-- The postgres image runs this once, when its data volume is empty (/docker-entrypoint-initdb.d);
-- to run it again: docker compose down -v (this deletes the data). The services also create a
-- missing database at start-up (ensureDatabase in services/shared/db/sequelize.ts); doing it here
-- means the first start of several nodes at once does not depend on that.
CREATE DATABASE oms_order;
CREATE DATABASE oms_payment;
CREATE DATABASE oms_saga;
