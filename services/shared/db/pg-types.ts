import pg from "pg";

// BIGINT (int8) columns hold amounts in minor units, counters and offsets, all far below 2^53:
// read them as numbers. node-postgres keeps one parser table per process, so this one import
// serves the write side (SqlDatabase) and Sequelize alike.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
