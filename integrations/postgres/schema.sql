-- ssa-toolkit state store schema (generated from PostgresSchema.statements; a test checks it).
-- Run it as the schema's owner, never as the service's role:
--   psql "postgres://OWNER@HOST:PORT/DATABASE" -v ON_ERROR_STOP=1 -v service_role=SERVICE_ROLE -f schema.sql
-- or: ssa-verify state-store init --config FILE --admin-url postgres://OWNER@HOST:PORT/DATABASE
-- The service's role then has INSERT and SELECT on ssa_audit (a trigger refuses UPDATE,
-- DELETE and TRUNCATE whoever asks) and what the replay table needs on ssa_replay.
CREATE TABLE IF NOT EXISTS ssa_replay (
    issuer bytea NOT NULL, jti bytea NOT NULL, expires_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, jti));

CREATE INDEX IF NOT EXISTS ssa_replay_expiry ON ssa_replay (expires_at);

CREATE TABLE IF NOT EXISTS ssa_audit (
    node text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), line bytea NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node, seq));

CREATE OR REPLACE FUNCTION ssa_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION 'ssa_audit is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$body$;

DROP TRIGGER IF EXISTS ssa_audit_append_only ON ssa_audit;

CREATE TRIGGER ssa_audit_append_only BEFORE UPDATE OR DELETE ON ssa_audit FOR EACH ROW EXECUTE FUNCTION ssa_audit_refuse_change();

DROP TRIGGER IF EXISTS ssa_audit_no_truncate ON ssa_audit;

CREATE TRIGGER ssa_audit_no_truncate BEFORE TRUNCATE ON ssa_audit FOR EACH STATEMENT EXECUTE FUNCTION ssa_audit_refuse_change();

REVOKE ALL ON ssa_audit, ssa_replay FROM PUBLIC;

REVOKE ALL ON ssa_audit, ssa_replay FROM :"service_role";

GRANT SELECT, INSERT ON ssa_audit TO :"service_role";

GRANT SELECT, INSERT, UPDATE, DELETE ON ssa_replay TO :"service_role";
