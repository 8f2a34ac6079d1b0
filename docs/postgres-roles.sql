-- mdtboard on PostgreSQL: database, owner and least-privilege application role.
-- Run as a superuser (psql -v ON_ERROR_STOP=1 -f docs/postgres-roles.sql), after
-- replacing the two passwords. Fictional names; adapt to your site.

CREATE ROLE mdtboard_owner LOGIN PASSWORD 'change-me-owner';
CREATE ROLE mdtboard_app LOGIN PASSWORD 'change-me-app';
CREATE DATABASE mdtboard OWNER mdtboard_owner;

\connect mdtboard
-- The owner runs the migrations (mdtboard check as the owner), so owns every table.
ALTER SCHEMA public OWNER TO mdtboard_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO mdtboard_app;

-- What the owner creates later is usable by the app role, and no more:
SET ROLE mdtboard_owner;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mdtboard_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO mdtboard_app;
RESET ROLE;
