-- The database of a (small) grant-management system, as its nightly assessment job sees it.
--
-- The system has its own tables and names; examples/embedding/host_plugin.py maps them
-- onto the partnerrules fact vocabulary (docs/facts.md). A NULL, or a row that is not
-- there, means "not recorded": it becomes an absent fact (unknown), never a "no".

PRAGMA foreign_keys = ON;

-- One row per funded partnership.
CREATE TABLE partnerships (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    sector              TEXT,      -- partnership.sector (education, public_health, ...)
    formed_on           TEXT,      -- partnership.formed_on, ISO date
    relationship_kind   TEXT,      -- partnership.relationship_kind
    intended_term       TEXT,      -- partnership.intended_term
    lead_partner        TEXT,      -- partnership.lead_partner
    agreement_form      TEXT,      -- agreement.form (mou, partnership_agreement, none, ...)
    agreement_status    TEXT,      -- agreement.status (draft, signed, ...)
    agreement_signed_on TEXT,      -- agreement.signed_on, ISO date
    agreement_document  TEXT       -- the officer's reference to the document: an evidence note
);

-- The organisations in each partnership.
CREATE TABLE partners (
    id                      INTEGER PRIMARY KEY,
    partnership_id          INTEGER NOT NULL REFERENCES partnerships (id),
    name                    TEXT NOT NULL,
    org_type                TEXT,  -- partners[].org_type
    role                    TEXT,  -- partners[].role
    contact                 TEXT,  -- partners[].contact
    rep_can_decide          TEXT,  -- partners[].rep_can_decide: yes / partly / no
    rep_continuity          TEXT,  -- partners[].rep_continuity
    attendance_rate         REAL,  -- partners[].attendance_rate, 0 to 1
    delivers_on_time_rate   REAL,  -- partners[].delivers_on_time_rate, 0 to 1
    benefits_confirmed      TEXT,  -- partners[].bcr_confirmed_with_partner
    benefits_outweigh_costs TEXT   -- partners[].benefits_outweigh_costs
);

-- What the partnership agreement says: one row per question answered.
-- element and question are the vocabulary's (agreement.sections.<element>.<question>).
CREATE TABLE agreement_sections (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    element        TEXT NOT NULL,
    question       TEXT NOT NULL,
    answer         TEXT,
    PRIMARY KEY (partnership_id, element, question)
);

-- The grant officer's stage check: behaviours observed (indicators.<name>: yes/partly/no).
CREATE TABLE indicators (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    name           TEXT NOT NULL,
    value          TEXT,
    PRIMARY KEY (partnership_id, name)
);

-- Answers to the system's own monitoring-visit questions, by question code. The job maps
-- each code onto a fact of the vocabulary (QUESTIONS in host_plugin.py).
CREATE TABLE monitoring_answers (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id),
    question_code  TEXT NOT NULL,
    answer,                        -- text or a number, as the question asks
    recorded_on    TEXT,
    PRIMARY KEY (partnership_id, question_code)
);

-- What the nightly job writes: one row per partnership per evaluation.
CREATE TABLE results (
    id                     INTEGER PRIMARY KEY,
    partnership_id         INTEGER NOT NULL REFERENCES partnerships (id),
    assessed_on            TEXT NOT NULL,  -- the job's run date
    stage                  TEXT,     -- stages outcome id (forming ... failing, undetermined)
    stage_confidence       TEXT,     -- high / moderate / low, NULL when undetermined
    success_band           TEXT,     -- success-factors band id, or undetermined
    agreement_completeness REAL,     -- 0 to 1 over the elements known, NULL when none is
    agreement_band         TEXT,     -- agreement band id, or undetermined
    evidence_to_request    INTEGER NOT NULL,  -- how many unrecorded facts would settle unknowns
    report_json            TEXT NOT NULL      -- the JSON document (schema_version 1), one report
);

CREATE INDEX results_by_partnership ON results (partnership_id, assessed_on);
