"""The floors of scripts/benchmark.py: for each read, the same rows or aggregates the endpoint answers
with, fetched by one raw SQL statement (PostgreSQL), which the benchmark times and encodes with orjson."""

import datetime


def tables() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from activities.models import (
        Activity,
        ActivityStateStatus,
        Actor,
        CrossReference,
        Evidence,
        Objective,
        ProgressEntry,
        RangeState,
        ReportingRound,
        Result,
        Strategy,
        Theme,
        WorkProgrammeMeasure,
    )

    models = {
        "activity": Activity,
        "status": ActivityStateStatus,
        "actor": Actor,
        "activity_actor": Activity.actors.through,
        "activity_pow": Activity.cami_pow_measures.through,
        "measure": WorkProgrammeMeasure,
        "reference": CrossReference,
        "evidence": Evidence,
        "objective": Objective,
        "entry": ProgressEntry,
        "state": RangeState,
        "round": ReportingRound,
        "result": Result,
        "strategy": Strategy,
        "strategy_state": Strategy.range_states.through,
        "theme": Theme,
        "user": get_user_model(),
    }
    return {name: model._meta.db_table for name, model in models.items()}


def floors(s) -> dict[str, tuple[str, list]]:
    """One statement per read: the rows or aggregates the endpoint answers with."""
    t = tables()
    year = datetime.date.today().year
    activity_tree = f"""
        SELECT a.code, a.text, a.actors_text, a.actors_continued, a.indicator, a.timeline_text, a.cost_text,
               a.cami_pow_text, a.priority, a.source_note, r.code, r.text, o.number, o.text, th.number, th.title,
               ARRAY(SELECT ac.name FROM {t["activity_actor"]} aa JOIN {t["actor"]} ac ON ac.id = aa.actor_id
                     WHERE aa.activity_id = a.id ORDER BY ac.name),
               ARRAY(SELECT m.code FROM {t["activity_pow"]} am JOIN {t["measure"]} m ON m.id = am.workprogrammemeasure_id
                     WHERE am.activity_id = a.id ORDER BY m.sort_key),
               ARRAY(SELECT c.code FROM {t["reference"]} c WHERE c.from_activity_id = a.id ORDER BY c.position, c.id),
               ARRAY(SELECT f.code FROM {t["reference"]} c JOIN {t["activity"]} f ON f.id = c.from_activity_id
                     WHERE c.to_activity_id = a.id ORDER BY f.sort_key)
        FROM {t["activity"]} a JOIN {t["result"]} r ON r.id = a.result_id JOIN {t["objective"]} o ON o.id = r.objective_id
        LEFT JOIN {t["theme"]} th ON th.id = o.theme_id
        WHERE a.strategy_id = %s ORDER BY o.number, r.sort_key, a.sort_key"""
    largest = s.largest.pk
    out = {
        "dashboard": (
            f"""
            WITH cells AS (
                SELECT a.result_id, a.priority, c.status,
                       count(*) FILTER (WHERE c.range_state_id IS NOT NULL) AS n,
                       count(*) FILTER (WHERE c.range_state_id IS NULL) AS wide
                FROM {t["status"]} c JOIN {t["activity"]} a ON a.id = c.activity_id
                WHERE a.strategy_id = %s GROUP BY 1, 2, 3),
            acts AS (SELECT result_id, priority, count(*) AS n FROM {t["activity"]} WHERE strategy_id = %s GROUP BY 1, 2)
            SELECT r.code, r.text, o.number, o.text, th.number, th.title, acts.priority, acts.n,
                   (SELECT json_agg(json_build_array(c.status, c.n, c.wide)) FROM cells c
                    WHERE c.result_id = r.id AND c.priority IS NOT DISTINCT FROM acts.priority)
            FROM {t["result"]} r JOIN {t["objective"]} o ON o.id = r.objective_id
            LEFT JOIN {t["theme"]} th ON th.id = o.theme_id JOIN acts ON acts.result_id = r.id
            WHERE r.strategy_id = %s ORDER BY o.number, r.sort_key, acts.priority""",
            [largest, largest, largest],
        ),
        "matrix": (
            f"""
            SELECT a.code, a.text, a.priority, c.range_state_id, c.status, c.reporting_date, e.confidence
            FROM {t["activity"]} a LEFT JOIN {t["status"]} c ON c.activity_id = a.id
            LEFT JOIN {t["entry"]} e ON e.id = c.entry_id
            WHERE a.strategy_id = %s ORDER BY a.sort_key, c.range_state_id""",
            [largest],
        ),
        "timeline": (
            f"""
            SELECT a.code, a.text, a.priority, a.timeline_text, a.timeline_kind, a.start_year, a.due_year,
                   a.recurrence_years, c.done, c.wide_done, c.latest,
                   CASE WHEN a.timeline_kind = 'recurring' THEN
                     (SELECT max(e.reporting_date) FROM {t["entry"]} e WHERE e.activity_id = a.id
                      AND e.review_state = 'approved' AND e.status = 'completed') END
            FROM {t["activity"]} a LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE status IN ('completed', 'not_applicable') AND range_state_id IS NOT NULL) AS done,
                       count(*) FILTER (WHERE status = 'completed' AND range_state_id IS NULL) AS wide_done,
                       max(reporting_date) AS latest
                FROM {t["status"]} WHERE activity_id = a.id) c ON true
            WHERE a.strategy_id = %s AND (a.due_year <= %s OR a.timeline_kind = 'recurring') ORDER BY a.sort_key""",
            [largest, year + 1],
        ),
        "budget": (
            f"""
            SELECT a.code, a.text, r.code, o.number, th.number, a.cost_text, a.cost_kind, a.cost_usd,
                   a.cost_per_country, sp.spent, sp.n
            FROM {t["activity"]} a JOIN {t["result"]} r ON r.id = a.result_id JOIN {t["objective"]} o ON o.id = r.objective_id
            LEFT JOIN {t["theme"]} th ON th.id = o.theme_id
            LEFT JOIN LATERAL (SELECT sum(e.amount_spent_usd) AS spent, count(e.amount_spent_usd) AS n
                               FROM {t["status"]} c JOIN {t["entry"]} e ON e.id = c.entry_id
                               WHERE c.activity_id = a.id) sp ON true
            WHERE a.strategy_id = %s ORDER BY a.sort_key""",
            [largest],
        ),
        "pow": (
            f"""
            SELECT m.code, m.title, a.code, a.text, a.priority,
                   (SELECT json_object_agg(x.status, x.n) FROM (
                       SELECT status, count(*) AS n FROM {t["status"]}
                       WHERE activity_id = a.id AND range_state_id IS NOT NULL GROUP BY status) x)
            FROM {t["activity_pow"]} am JOIN {t["measure"]} m ON m.id = am.workprogrammemeasure_id
            JOIN {t["activity"]} a ON a.id = am.activity_id
            WHERE a.strategy_id = %s ORDER BY m.sort_key, a.sort_key""",
            [largest],
        ),
        "actors": (
            f"""
            WITH links AS (SELECT aa.activity_id, ac.name, ac.category
                           FROM {t["activity_actor"]} aa JOIN {t["activity"]} a ON a.id = aa.activity_id
                           JOIN {t["actor"]} ac ON ac.id = aa.actor_id WHERE a.strategy_id = %s)
            SELECT name, category, NULL AS status, count(DISTINCT activity_id) FROM links
            GROUP BY GROUPING SETS ((name, category), (category))
            UNION ALL
            SELECT l.name, l.category, c.status, count(DISTINCT c.id)
            FROM links l JOIN {t["status"]} c ON c.activity_id = l.activity_id AND c.range_state_id IS NOT NULL
            GROUP BY GROUPING SETS ((l.name, l.category, c.status), (l.category, c.status))""",
            [largest],
        ),
        "reporting rate": (
            f"""
            SELECT rr.name, rr.deadline, st.name,
                   (SELECT count(*) FROM {t["activity"]} a WHERE a.strategy_id = rr.strategy_id AND (
                       a.due_year <= extract(year FROM rr.deadline) OR a.start_year <= extract(year FROM rr.deadline)
                       OR a.timeline_kind IN ('recurring', 'asap'))),
                   count(DISTINCT e.activity_id),
                   count(DISTINCT e.activity_id) FILTER (WHERE e.first_submitted_at::date <= rr.deadline)
            FROM {t["round"]} rr JOIN {t["strategy_state"]} ss ON ss.strategy_id = rr.strategy_id
            JOIN {t["state"]} st ON st.id = ss.rangestate_id
            LEFT JOIN {t["entry"]} e ON e.reporting_round_id = rr.id AND e.range_state_id = st.id
                 AND e.review_state = 'approved'
            WHERE rr.strategy_id = %s GROUP BY rr.id, st.id ORDER BY rr.deadline DESC, st.name""",
            [largest],
        ),
        "activities API (100/page)": (
            f"""
            SELECT a.id, a.code, a.text, s.slug, th.number, o.number, r.code, a.actors_text, a.actors_continued,
                   a.indicator, a.timeline_text, a.timeline_kind, a.start_year, a.due_year, a.recurrence_years,
                   a.cost_text, a.cost_kind, a.cost_usd, a.cost_per_country, a.cami_pow_text, a.priority, a.source_note,
                   ARRAY(SELECT ac.name FROM {t["activity_actor"]} aa JOIN {t["actor"]} ac ON ac.id = aa.actor_id
                         WHERE aa.activity_id = a.id ORDER BY ac.name),
                   ARRAY(SELECT m.code FROM {t["activity_pow"]} am JOIN {t["measure"]} m ON m.id = am.workprogrammemeasure_id
                         WHERE am.activity_id = a.id ORDER BY m.sort_key),
                   (SELECT json_agg(json_build_array(st.iso_code, st.name, c.status, c.reporting_date, c.approved_at, c.entry_id)
                                    ORDER BY st.name NULLS FIRST)
                    FROM {t["status"]} c LEFT JOIN {t["state"]} st ON st.id = c.range_state_id WHERE c.activity_id = a.id),
                   (SELECT count(*) FROM {t["activity"]})
            FROM {t["activity"]} a JOIN {t["strategy"]} s ON s.id = a.strategy_id JOIN {t["result"]} r ON r.id = a.result_id
            JOIN {t["objective"]} o ON o.id = r.objective_id LEFT JOIN {t["theme"]} th ON th.id = o.theme_id
            ORDER BY s.slug, a.sort_key LIMIT 100""",
            [],
        ),
    }
    for name, strategy in (("strategy page (seeded)", s.seeded), ("strategy page (largest)", s.largest)):
        if strategy:
            out[name] = (activity_tree, [strategy.pk])

    entry_columns = f"""
        SELECT e.id, s.slug, a.code, e.activity_id, st.iso_code, e.reporting_round_id, e.reporting_date, e.status,
               e.narrative, e.source, e.confidence, e.amount_spent_usd, e.review_state, e.review_comment,
               e.submitted_at, e.reviewed_at, e.version, e.created_at, e.updated_at,
               (SELECT json_agg(json_build_array(v.id, v.title, v.url, v.content_type, v.size, v.created_at) ORDER BY v.id)
                FROM {t["evidence"]} v WHERE v.entry_id = e.id AND NOT v.restricted),
               (SELECT count(*) FROM {t["entry"]} e WHERE e.review_state = 'approved' {{where}})
        FROM {t["entry"]} e JOIN {t["activity"]} a ON a.id = e.activity_id JOIN {t["strategy"]} s ON s.id = a.strategy_id
        LEFT JOIN {t["state"]} st ON st.id = e.range_state_id
        WHERE e.review_state = 'approved' {{where}} ORDER BY e.id DESC LIMIT {{limit}}"""
    out["progress API"] = (entry_columns.format(where="", limit=50), [])
    out["progress API updated_since ~1%"] = (
        entry_columns.format(where="AND e.updated_at >= %s", limit=50),
        [s.updated_since, s.updated_since],
    )
    if s.filter_state:
        out["progress API state+status"] = (
            entry_columns.format(where="AND e.range_state_id = %s AND e.status = %s", limit=50),
            [s.filter_state.pk, "in_progress", s.filter_state.pk, "in_progress"],
        )
    out["progress CSV (10,000 rows)"] = (entry_columns.format(where="", limit=10_000), [])
    if s.national_state and s.national_round:
        r = s.national_round
        out["national report"] = (
            f"""
            SELECT a.code, a.text, o.number, a.priority, e.status, e.reporting_date, e.reporting_round_id, e.narrative,
                   e.source, e.confidence, e.amount_spent_usd,
                   ARRAY(SELECT coalesce(nullif(v.title, ''), v.url) FROM {t["evidence"]} v
                         WHERE v.entry_id = e.id AND NOT v.restricted ORDER BY v.id)
            FROM {t["activity"]} a JOIN {t["result"]} r ON r.id = a.result_id JOIN {t["objective"]} o ON o.id = r.objective_id
            LEFT JOIN LATERAL (
                SELECT * FROM {t["entry"]} p WHERE p.activity_id = a.id AND p.range_state_id = %s
                AND p.review_state = 'approved' AND (p.reporting_round_id = %s OR p.reporting_date <= %s)
                ORDER BY coalesce(p.reporting_round_id = %s, false) DESC, p.reporting_date DESC, p.reviewed_at DESC, p.id DESC
                LIMIT 1) e ON true
            WHERE a.strategy_id = %s AND (a.due_year <= %s OR a.start_year <= %s OR a.timeline_kind IN ('recurring', 'asap'))
            ORDER BY a.sort_key""",
            [s.national_state.pk, r.pk, r.deadline, r.pk, r.strategy_id, r.deadline.year, r.deadline.year],
        )
    if s.focal_point:
        ids = [state.pk for state in s.focal_states]
        out["focal point's home"] = (
            f"""
            WITH states AS (SELECT unnest(%s::bigint[]) AS id),
            targets AS (SELECT rr.id AS round_id, rr.strategy_id, extract(year FROM rr.deadline) AS year,
                               x.rangestate_id AS state_id
                        FROM {t["round"]} rr JOIN {t["strategy_state"]} x ON x.strategy_id = rr.strategy_id
                        WHERE rr.closed_at IS NULL AND x.rangestate_id IN (SELECT id FROM states)),
            reported AS (SELECT DISTINCT p.reporting_round_id, p.range_state_id, p.activity_id FROM {t["entry"]} p
                         WHERE p.reporting_round_id = ANY(ARRAY(SELECT round_id FROM targets))
                         AND p.range_state_id = ANY(%s) AND p.first_submitted_at IS NOT NULL)
            SELECT 'due', t.round_id, t.state_id, a.code, a.text, a.due_year,
                   a.due_year < %s AND NOT EXISTS (SELECT 1 FROM {t["status"]} c WHERE c.activity_id = a.id
                       AND c.range_state_id = t.state_id AND c.status = 'completed'),
                   NULL::timestamptz
            FROM targets t JOIN {t["activity"]} a ON a.strategy_id = t.strategy_id
                 AND (a.due_year <= t.year OR a.start_year <= t.year OR a.timeline_kind IN ('recurring', 'asap'))
            LEFT JOIN reported r ON r.reporting_round_id = t.round_id AND r.range_state_id = t.state_id
                 AND r.activity_id = a.id
            WHERE r.activity_id IS NULL
            UNION ALL
            SELECT e.review_state, e.id, e.range_state_id, a.code, s.slug, NULL, NULL, e.updated_at
            FROM {t["entry"]} e JOIN {t["activity"]} a ON a.id = e.activity_id JOIN {t["strategy"]} s ON s.id = a.strategy_id
            WHERE e.review_state IN ('draft', 'submitted', 'returned') AND e.range_state_id = ANY(%s)""",
            [ids, ids, year, ids],
        )
    out["review queue"] = (
        f"""
        SELECT e.id, s.slug, s.short_name, a.code, st.name, rr.name, e.reporting_date, e.status, e.narrative,
               u.username, w.username, e.submitted_at,
               (SELECT count(*) FROM {t["entry"]} WHERE review_state = 'submitted')
        FROM {t["entry"]} e JOIN {t["activity"]} a ON a.id = e.activity_id JOIN {t["strategy"]} s ON s.id = a.strategy_id
        LEFT JOIN {t["state"]} st ON st.id = e.range_state_id LEFT JOIN {t["round"]} rr ON rr.id = e.reporting_round_id
        JOIN {t["user"]} u ON u.id = e.reported_by_id LEFT JOIN {t["user"]} w ON w.id = e.submitted_by_id
        WHERE e.review_state = 'submitted' ORDER BY e.submitted_at, e.id LIMIT 50""",
        [],
    )
    return out
