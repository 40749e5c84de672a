"""The coding workflow: worklist, suggestions, review decisions, provider queries, finalize.

`CodingService` holds the session factory and the engines; every method takes the acting
`Actor`, checks its permission, does its work in one transaction, and writes the audit log in
that same transaction. The engines run outside any write transaction.

Optimistic locking: an encounter carries `version`; every change names the version it was
based on and fails with `Conflict` (HTTP 409) when someone else changed it first. The database
enforces the same rule (`UPDATE … WHERE version = :seen`), so two coders cannot silently
overwrite each other even when their requests race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..store.db import transaction
from ..store.models import (
    ENCOUNTER_STATUSES,
    Claim,
    ClaimLine,
    Document,
    Encounter,
    Finding,
    Query,
    ReviewDecision,
    Suggestion,
    SuggestionRun,
    User,
)
from . import audit, ingest, queries, security
from .engines import EncounterContext
from .errors import Conflict, Invalid, NotFound, Unauthorized
from .security import Actor

REASON_CODES = {
    "not-documented": "the condition or service is not documented in the note",
    "not-supported": "documented, but not clinically supported",
    "more-specific": "a more specific code is supported",
    "less-specific": "the documentation supports only a less specific code",
    "integral": "a sign or symptom integral to a confirmed diagnosis",
    "uncertain-outpatient": "uncertain diagnosis in the outpatient setting (code the symptom)",
    "excludes1": "an Excludes1 conflict with another code",
    "sequencing": "sequencing or code-first/use-additional rule",
    "query-answer": "the provider's answer to a query",
    "duplicate": "duplicate of another code",
    "historical": "history of / resolved condition",
    "other": "other (explain in the note)",
}
ORDERINGS = ("priority", "money", "risk", "service_date", "id")
LOW_CONFIDENCE = 0.6


@dataclass(slots=True)
class WorklistFilter:
    setting: str | None = None
    specialty: str | None = None
    provider: str | None = None
    payer: str | None = None
    status: str | None = None
    assigned_to: int | None = None


def _now() -> datetime:
    return datetime.now(UTC)


class CodingService:
    def __init__(self, factory: sessionmaker[Session], engines):
        self.factory = factory
        self.engines = engines

    # ------------------------------------------------------------------ helpers
    def _encounter(self, s: Session, encounter_id: int) -> Encounter:
        enc = s.get(Encounter, encounter_id)
        if enc is None:
            raise NotFound(f"no encounter {encounter_id}")
        return enc

    @staticmethod
    def _check_version(enc: Encounter, version: int | None) -> None:
        if version is None:
            raise Invalid("a change must name the encounter version it is based on ('version')")
        if enc.version != version:
            raise Conflict(f"encounter {enc.id} changed since version {version} (now {enc.version}); "
                           "reload and retry", current_version=enc.version)

    @staticmethod
    def _flush_locked(s: Session, enc: Encounter) -> None:
        enc_id = enc.id  # read before the flush: a failed flush expires the instance
        try:
            s.flush()
        except StaleDataError:
            raise Conflict(f"encounter {enc_id} was changed by someone else; reload and retry") from None

    @staticmethod
    def _touch(enc: Encounter, status: str | None = None) -> None:
        enc.updated_at = _now()
        if status:
            enc.status = status

    # ------------------------------------------------------------------ ingest
    def ingest(self, actor: Actor, data: str, fmt: str | None = None, source: str = "") -> ingest.IngestReport:
        actor.require("ingest")
        return ingest.ingest(self.factory, actor, data, fmt, self.engines, source)

    # ------------------------------------------------------------------ worklist
    def worklist(self, actor: Actor, f: WorklistFilter, order: str = "priority", limit: int = 50,
                 offset: int = 0) -> tuple[list[Encounter], int]:
        actor.require("worklist.read")
        if order not in ORDERINGS:
            raise Invalid(f"order must be one of {', '.join(ORDERINGS)}")
        if f.status and f.status not in ENCOUNTER_STATUSES:
            raise Invalid(f"status must be one of {', '.join(ENCOUNTER_STATUSES)}")
        q = select(Encounter)
        for attr in ("setting", "specialty", "provider", "payer", "status", "assigned_to"):
            v = getattr(f, attr)
            if v is not None:
                q = q.where(getattr(Encounter, attr) == v)
        keys = {
            "priority": [(Encounter.money_at_stake * (0.5 + Encounter.denial_risk)).desc(), Encounter.id],
            "money": [Encounter.money_at_stake.desc(), Encounter.id],
            "risk": [Encounter.denial_risk.desc(), Encounter.money_at_stake.desc(), Encounter.id],
            "service_date": [Encounter.service_date.desc(), Encounter.id],
            "id": [Encounter.id],
        }[order]
        with self.factory() as s:
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(q.order_by(*keys).limit(limit).offset(offset)).unique().all()
            return list(rows), total

    # ------------------------------------------------------------------ encounter and notes
    def encounter(self, actor: Actor, encounter_id: int) -> dict[str, Any]:
        """The encounter with its latest suggestions, decisions, queries and claims. Note text
        is not included (see `document`), so reading the encounter is not a note read."""
        actor.require("encounter.read")
        with self.factory() as s:
            enc = self._encounter(s, encounter_id)
            run = s.scalar(select(SuggestionRun).where(SuggestionRun.encounter_id == enc.id)
                           .order_by(SuggestionRun.id.desc()).limit(1))
            sugg = list(s.scalars(select(Suggestion).where(Suggestion.run_id == run.id)
                                  .order_by(Suggestion.kind, Suggestion.rank))) if run else []
            return {"encounter": enc, "documents": list(enc.documents), "run": run, "suggestions": sugg,
                    "decisions": self._current_decisions(s, enc.id),
                    "queries": list(s.scalars(select(Query).where(Query.encounter_id == enc.id).order_by(Query.id))),
                    "claims": list(s.scalars(select(Claim).where(Claim.encounter_id == enc.id).order_by(Claim.id)))}

    def document(self, actor: Actor, encounter_id: int, document_id: int) -> Document:
        """Read a note: always audited (who, when, from where), whatever the outcome."""
        actor.require("note.read")
        with transaction(self.factory) as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.encounter_id != encounter_id:
                raise NotFound(f"no document {document_id} in encounter {encounter_id}")
            audit.record(s, actor, "note.read", "document", doc.id, encounter_id, chars=len(doc.text))
            return doc

    def assign(self, actor: Actor, encounter_id: int, user_id: int | None, version: int | None) -> Encounter:
        actor.require("encounter.assign")
        with transaction(self.factory) as s:
            enc = self._encounter(s, encounter_id)
            self._check_version(enc, version)
            if user_id is not None and s.get(User, user_id) is None:
                raise Invalid(f"no user {user_id}")
            enc.assigned_to = user_id
            self._touch(enc)
            self._flush_locked(s, enc)
            audit.record(s, actor, "encounter.assign", "encounter", enc.id, enc.id, assigned_to=user_id)
            return enc

    # ------------------------------------------------------------------ suggestions
    def _context(self, enc: Encounter) -> EncounterContext:
        p = enc.patient
        return EncounterContext(
            source_id=enc.source_id, setting=enc.setting, service_date=enc.service_date,
            discharge_date=enc.discharge_date, sex=p.sex if p else None, birth_date=p.birth_date if p else None,
            patient_id=p.source_id if p else "", payer=enc.payer, provider=enc.provider,
            specialty=enc.specialty, billed_lines=list((enc.billed_codes or {}).get("procedures") or []))

    def suggest(self, actor: Actor, encounter_id: int) -> dict[str, Any]:
        """Run the engines on the encounter's notes and store the run and its suggestions.

        Billed codes the engine did not find join the review as 'billed' suggestions, so the
        coder decides on every code that could reach the claim."""
        actor.require("suggest.run")
        with self.factory() as s:
            enc = self._encounter(s, encounter_id)
            if enc.status == "finalized":
                raise Conflict(f"encounter {enc.id} is finalized")
            docs = list(enc.documents)
            if not docs:
                raise Conflict(f"encounter {enc.id} has no note yet (ingest its note first)")
            ctx = self._context(enc)
            text = "\n\n".join(d.text for d in docs)
            billed = enc.billed_codes or {}
        out = self.engines.suggest(text, ctx)
        with transaction(self.factory) as s:
            enc = self._encounter(s, encounter_id)
            if enc.status == "finalized":
                raise Conflict(f"encounter {enc.id} was finalized meanwhile")
            run = SuggestionRun(encounter_id=enc.id, engine_version=out.engine_version[:64],
                                data_versions=out.data_versions, requested_by=actor.user_id,
                                duration_ms=out.duration_ms,
                                queries=[{"topic": q.topic, "question": q.question, "options": q.options,
                                          "template": q.template} for q in out.queries])
            s.add(run)
            s.flush()
            found = {(c.kind if c.kind != "em" else "px", c.code.replace(".", "")) for c in out.codes}
            rows = [Suggestion(run_id=run.id, encounter_id=enc.id, kind=c.kind, code=c.code, origin="engine",
                               title=c.title[:400], rank=c.rank, confidence=c.confidence,
                               evidence=c.evidence, rationale=c.rationale) for c in out.codes]
            rank = max((c.rank for c in out.codes), default=0)
            for code in billed.get("diagnoses") or ():
                if ("dx", code.replace(".", "")) not in found:
                    rank += 1
                    rows.append(Suggestion(run_id=run.id, encounter_id=enc.id, kind="dx", code=code,
                                           origin="billed", title=self._title(code), rank=rank, confidence=0.0,
                                           rationale="on the source claim; the engine found no support in the note"))
            for i, ln in enumerate(billed.get("procedures") or (), start=1):
                if ("px", ln["code"]) not in found:
                    rows.append(Suggestion(run_id=run.id, encounter_id=enc.id, kind="px", code=ln["code"],
                                           origin="billed", rank=i, confidence=1.0,
                                           rationale="billed by the provider on the source claim"))
            s.add_all(rows)
            engine_dx = [c for c in out.codes if c.kind == "dx"]
            unsupported = sum(1 for r in rows if r.origin == "billed" and r.kind == "dx")
            low = sum(1 for c in engine_dx if c.confidence < LOW_CONFIDENCE)
            enc.denial_risk = round(min(1.0, 0.05 + 0.15 * unsupported + 0.1 * low
                                        + (0.3 if not engine_dx else 0.0) + 0.1 * len(out.queries)), 3)
            enc.money_at_stake = float(enc.billed_amount or 0.0)
            self._touch(enc, "suggested" if enc.status == "new" else enc.status)
            s.flush()
            audit.record(s, actor, "suggest.run", "suggestion_run", run.id, enc.id,
                         engine_version=run.engine_version, codes=[r.code for r in rows])
            sugg = rows
        return {"run": run, "suggestions": sugg, "encounter": enc}

    def _title(self, code: str) -> str:
        try:
            obj = self.engines.codebook.icd10cm.find(code)
        except Exception:  # noqa: BLE001 - a title is cosmetic
            return ""
        return obj.title if obj is not None else ""

    # ------------------------------------------------------------------ review
    @staticmethod
    def _current_decisions(s: Session, encounter_id: int) -> list[ReviewDecision]:
        return list(s.scalars(select(ReviewDecision).where(
            ReviewDecision.encounter_id == encounter_id, ReviewDecision.superseded_by.is_(None))
            .order_by(ReviewDecision.id)))

    def decide(self, actor: Actor, encounter_id: int, version: int | None, decisions: list[dict],
               query_id: int | None = None, _audit_action: str = "review.decide") -> dict[str, Any]:
        """Record decisions: accept / modify / reject a suggestion, or add a code.

        Each item: ``{"suggestion_id", "action", "final_code"?, "reason_code"?, "note"?,
        "sequence"?}`` or, to add a code, ``{"action": "add", "kind", "code", "reason_code"?}``.
        A later decision on the same code supersedes the earlier one (both stay on record)."""
        actor.require("review.write")
        with transaction(self.factory) as s:
            return self._decide_in(s, actor, encounter_id, version, decisions, query_id, _audit_action)

    def _decide_in(self, s: Session, actor: Actor, encounter_id: int, version: int | None,
                   decisions: list[dict], query_id: int | None, action_name: str) -> dict[str, Any]:
        if not decisions:
            raise Invalid("no decisions")
        enc = self._encounter(s, encounter_id)
        self._check_version(enc, version)
        if enc.status == "finalized":
            raise Conflict(f"encounter {enc.id} is finalized")
        if query_id is not None:
            q = s.get(Query, query_id)
            if q is None or q.encounter_id != enc.id:
                raise Invalid(f"query {query_id} is not a query of encounter {enc.id}")
        current = self._current_decisions(s, enc.id)
        made = []
        for i, d in enumerate(decisions):
            made.append(self._one_decision(s, actor, enc, d, i, current, query_id))
        self._touch(enc, "in_review" if enc.status in ("new", "suggested", "ready") else enc.status)
        self._flush_locked(s, enc)
        for prev, new in made:
            if prev is not None:
                prev.superseded_by = new.id
        s.flush()
        audit.record(s, actor, action_name, "encounter", enc.id, enc.id, query_id=query_id,
                     decisions=[{"id": n.id, "code": n.code, "action": n.action, "final_code": n.final_code,
                                 "reason_code": n.reason_code} for _, n in made])
        return {"encounter": enc, "decisions": [n for _, n in made]}

    def _one_decision(self, s, actor, enc, d: dict, i: int, current, query_id):
        where = f"decisions[{i}]"
        action = d.get("action")
        if action not in ("accept", "modify", "reject", "add"):
            raise Invalid(f"{where}: action must be accept, modify, reject or add")
        reason = d.get("reason_code")
        if reason is not None and reason not in REASON_CODES:
            raise Invalid(f"{where}: unknown reason_code {reason!r}", reason_codes=sorted(REASON_CODES))
        if action in ("modify", "reject") and not reason:
            raise Invalid(f"{where}: {action} needs a reason_code", reason_codes=sorted(REASON_CODES))
        if action == "add":
            kind, code = d.get("kind") or "dx", str(d.get("code") or "").strip().upper()
            if kind not in ("dx", "px", "em") or not code or len(code) > 16:
                raise Invalid(f"{where}: add needs kind (dx, px, em) and a code")
            self._check_code(kind, code, where)
            prev = next((c for c in current if c.suggestion_id is None and c.kind == kind and c.code == code), None)
            sugg_id, final = None, code
        else:
            sugg_id = d.get("suggestion_id")
            sugg = s.get(Suggestion, sugg_id) if isinstance(sugg_id, int) else None
            if sugg is None or sugg.encounter_id != enc.id:
                raise Invalid(f"{where}: suggestion {sugg_id!r} is not a suggestion of encounter {enc.id}")
            kind, code = sugg.kind, sugg.code
            prev = next((c for c in current if c.suggestion_id == sugg.id), None)
            if action == "modify":
                final = str(d.get("final_code") or "").strip().upper()
                if not final or len(final) > 16:
                    raise Invalid(f"{where}: modify needs final_code")
                self._check_code(kind, final, where)
            else:
                final = code if action == "accept" else None
        seq = d.get("sequence")
        if seq is not None and (not isinstance(seq, int) or not 1 <= seq <= 99):
            raise Invalid(f"{where}: sequence is 1..99")
        note = str(d.get("note") or "")[:2000]
        new = ReviewDecision(encounter_id=enc.id, suggestion_id=sugg_id, kind=kind, code=code, action=action,
                             final_code=final, reason_code=reason, note=note, query_id=query_id, sequence=seq,
                             user_id=actor.user_id)
        s.add(new)
        s.flush()
        return prev, new

    def _check_code(self, kind: str, code: str, where: str) -> None:
        if kind == "dx":
            try:
                obj = self.engines.codebook.icd10cm.find(code)
            except Exception:  # noqa: BLE001 - treat a lookup failure as unknown
                obj = None
            if obj is None:
                raise Invalid(f"{where}: {code} is not an ICD-10-CM code")
        elif not (len(code) == 5 and code[:1].isalnum() and code[1:].isalnum()):
            raise Invalid(f"{where}: {code} is not a CPT/HCPCS code (5 characters)")

    # ------------------------------------------------------------------ queries
    def create_query(self, actor: Actor, encounter_id: int, template: str, topic: str,
                     options: list[str] | None = None, provider: str | None = None) -> Query:
        actor.require("query.write")
        question, opts = queries.render(template, topic, options)
        with transaction(self.factory) as s:
            enc = self._encounter(s, encounter_id)
            if enc.status == "finalized":
                raise Conflict(f"encounter {enc.id} is finalized")
            q = Query(encounter_id=enc.id, template=template, topic=topic.strip()[:200], question=question,
                      options=opts, provider=(provider or enc.provider), created_by=actor.user_id, status="draft")
            s.add(q)
            s.flush()
            audit.record(s, actor, "query.create", "query", q.id, enc.id, template=template)
            return q

    def query_transition(self, actor: Actor, query_id: int, to: str, version: int | None,
                         answer: str | None = None, answered_by: str | None = None) -> Query:
        """draft → sent → answered → closed (a draft may also be closed, i.e. withdrawn)."""
        actor.require("query.write")
        with transaction(self.factory) as s:
            return self._transition_in(s, actor, query_id, to, version, answer, answered_by)

    def answer_query(self, actor: Actor, query_id: int, version: int | None, answer: str,
                     answered_by: str | None = None, encounter_version: int | None = None,
                     decisions: list[dict] | None = None) -> dict[str, Any]:
        """Record the provider's answer and, in the same transaction, the code decisions it led
        to: each decision is linked to the query, so the answer shows which codes it changed."""
        actor.require("query.write")
        if decisions:
            actor.require("review.write")
        with transaction(self.factory) as s:
            q = s.get(Query, query_id)
            if q is None:
                raise NotFound(f"no query {query_id}")
            made: list[ReviewDecision] = []
            if decisions:  # checked against the encounter version the coder saw, before the answer moves it
                made = self._decide_in(s, actor, q.encounter_id, encounter_version, decisions, q.id,
                                       "review.decide")["decisions"]
            q = self._transition_in(s, actor, query_id, "answered", version, answer, answered_by)
            return {"query": q, "decisions": made}

    def _transition_in(self, s: Session, actor: Actor, query_id: int, to: str, version: int | None,
                       answer: str | None, answered_by: str | None) -> Query:
        allowed = {"sent": ("draft",), "answered": ("sent",), "closed": ("draft", "answered")}
        if to not in allowed:
            raise Invalid(f"unknown query status {to!r}")
        q = s.get(Query, query_id)
        if q is None:
            raise NotFound(f"no query {query_id}")
        if version is None or q.version != version:
            raise Conflict(f"query {q.id} changed since version {version} (now {q.version})",
                           current_version=q.version)
        if q.status not in allowed[to]:
            raise Conflict(f"query {q.id} is {q.status}; cannot move to {to}")
        enc = self._encounter(s, q.encounter_id)
        if enc.status == "finalized":
            raise Conflict(f"encounter {enc.id} is finalized")
        now = _now()
        if to == "sent":
            q.sent_at = now
            self._touch(enc, "query_pending")
        elif to == "answered":
            if not answer or not answer.strip():
                raise Invalid("an answer needs the provider's response text ('answer')")
            q.answer, q.answered_by, q.answered_at = answer.strip()[:4000], (answered_by or q.provider), now
        else:
            q.closed_at = now
        q.status = to
        try:
            s.flush()
        except StaleDataError:
            raise Conflict(f"query {query_id} was changed by someone else") from None
        if to in ("answered", "closed"):
            still_open = s.scalar(select(func.count()).where(Query.encounter_id == enc.id, Query.status == "sent"))
            if not still_open and enc.status == "query_pending":
                self._touch(enc, "in_review")
        self._flush_locked(s, enc)
        audit.record(s, actor, f"query.{to}", "query", q.id, enc.id)
        return q

    def query_links(self, actor: Actor, query_id: int) -> list[ReviewDecision]:
        """The decisions made on the strength of this query's answer."""
        actor.require("query.read")
        with self.factory() as s:
            if s.get(Query, query_id) is None:
                raise NotFound(f"no query {query_id}")
            return list(s.scalars(select(ReviewDecision).where(ReviewDecision.query_id == query_id)
                                  .order_by(ReviewDecision.id)))

    def get_query(self, actor: Actor, query_id: int) -> Query:
        actor.require("query.read")
        with self.factory() as s:
            q = s.get(Query, query_id)
            if q is None:
                raise NotFound(f"no query {query_id}")
            return q

    # ------------------------------------------------------------------ finalize and export
    def finalize(self, actor: Actor, encounter_id: int, version: int | None) -> Claim:
        """Build the claim from the accepted codes, run the edits, store claim and findings."""
        actor.require("claim.finalize")
        with transaction(self.factory) as s:
            enc = self._encounter(s, encounter_id)
            self._check_version(enc, version)
            if enc.status == "finalized":
                raise Conflict(f"encounter {enc.id} is already finalized")
            open_q = s.scalar(select(func.count()).where(Query.encounter_id == enc.id, Query.status == "sent"))
            if open_q:
                raise Conflict(f"encounter {enc.id} has {open_q} unanswered provider quer{'y' if open_q == 1 else 'ies'}")
            run = s.scalar(select(SuggestionRun).where(SuggestionRun.encounter_id == enc.id)
                           .order_by(SuggestionRun.id.desc()).limit(1))
            if run is None:
                raise Conflict(f"encounter {enc.id} has no suggestion run; run suggest first")
            current = self._current_decisions(s, enc.id)
            decided = {d.suggestion_id for d in current if d.suggestion_id is not None}
            pending = list(s.scalars(select(Suggestion.id).where(Suggestion.run_id == run.id,
                                                                 Suggestion.id.not_in(decided or {-1}))))
            if pending:
                raise Conflict(f"{len(pending)} suggestion(s) have no review decision", suggestion_ids=pending)
            sugg_rank = {sid: r for sid, r in s.execute(select(Suggestion.id, Suggestion.rank)
                                                        .where(Suggestion.encounter_id == enc.id))}
            kept = [d for d in current if d.final_code]
            dx = sorted((d for d in kept if d.kind == "dx"),
                        key=lambda d: (d.sequence or 100, sugg_rank.get(d.suggestion_id, 1000), d.id))
            dx = list({d.final_code.replace(".", ""): d for d in reversed(dx)}.values())[::-1]  # one line per code
            px = [d for d in kept if d.kind in ("px", "em")]
            px = list({d.final_code: d for d in reversed(px)}.values())[::-1]
            if not dx:
                raise Conflict("no accepted diagnosis: nothing to bill")
            if not px:
                raise Conflict("no accepted procedure or E/M line: nothing to bill")
            billed = {ln["code"]: ln for ln in (enc.billed_codes or {}).get("procedures") or ()}
            lines = [{"code": d.final_code, "modifiers": billed.get(d.final_code, {}).get("modifiers", []),
                      "units": billed.get(d.final_code, {}).get("units", 1),
                      "charge": billed.get(d.final_code, {}).get("charge", 0.0)} for d in px]
            ctx = self._context(enc)
            model = self.engines.build_claim(ctx, [d.final_code for d in dx], lines)
            found = self.engines.scrub(model)
            claim = Claim(encounter_id=enc.id, status="final", payer=enc.payer, total_charge=model.total_charge,
                          diagnoses=[d.code for d in model.diagnoses], engine_version=self.engines.engine_version[:64],
                          created_by=actor.user_id)
            s.add(claim)
            s.flush()
            for ln in model.lines:
                s.add(ClaimLine(claim_id=claim.id, line_no=ln.number, code=ln.code, modifiers=list(ln.modifiers),
                                units=float(ln.units), charge=ln.charge, dx_pointers=list(ln.dx_pointers),
                                service_date=ln.date))
            for f in found:
                s.add(Finding(claim_id=claim.id, rule_id=f.rule_id[:64], family=f.family[:32], severity=f.severity[:32],
                              message=f.message, fix=f.fix, source=f.source[:200], line_no=f.line_no))
            self._touch(enc, "finalized")
            self._flush_locked(s, enc)
            audit.record(s, actor, "claim.finalize", "claim", claim.id, enc.id, diagnoses=claim.diagnoses,
                         lines=[ln.code for ln in model.lines], findings=[f.rule_id for f in found])
            s.refresh(claim)
            return claim

    def claim(self, actor: Actor, claim_id: int) -> Claim:
        actor.require("claim.read")
        with self.factory() as s:
            c = s.get(Claim, claim_id)
            if c is None:
                raise NotFound(f"no claim {claim_id}")
            return c

    def export(self, actor: Actor, claim_id: int, fmt: str) -> str:
        actor.require("claim.read")
        if fmt not in ("837p", "fhir"):
            raise Invalid("format is 837p or fhir")
        with transaction(self.factory) as s:
            c = s.get(Claim, claim_id)
            if c is None:
                raise NotFound(f"no claim {claim_id}")
            enc = self._encounter(s, c.encounter_id)
            model = self.engines.build_claim(
                self._context(enc), list(c.diagnoses),
                [{"code": ln.code, "modifiers": ln.modifiers, "units": ln.units, "charge": ln.charge,
                  "dx_pointers": ln.dx_pointers} for ln in c.lines])
            audit.record(s, actor, "claim.export", "claim", c.id, enc.id, format=fmt)
        return self.engines.export(model, fmt)

    # ------------------------------------------------------------------ users, tokens, audit
    def login(self, username: str, password: str, client: str | None = None) -> tuple[str, User]:
        """Exchange a password for a one-day API token; failed attempts are audited too."""
        with transaction(self.factory) as s:
            try:
                user = security.login(s, username, password)
            except Unauthorized as e:
                audit.record(s, Actor(None, username[:64], "", client), "auth.failed", "user", None)
                failure = e
            else:
                failure = None
                token = security.issue_token(s, user, "login", days=1)
                audit.record(s, Actor(user.id, user.username, user.role.name, client), "auth.login", "user", user.id)
        if failure is not None:
            raise failure
        return token, user

    def users(self, actor: Actor, limit: int = 50, offset: int = 0) -> tuple[list[User], int]:
        actor.require("user.admin")
        with self.factory() as s:
            total = s.scalar(select(func.count(User.id))) or 0
            return list(s.scalars(select(User).order_by(User.id).limit(limit).offset(offset)).unique()), total

    def create_user(self, actor: Actor, username: str, password: str, role: str, full_name: str = "") -> User:
        actor.require("user.admin")
        with transaction(self.factory) as s:
            user = security.create_user(s, username, password, role, full_name)
            audit.record(s, actor, "user.create", "user", user.id, role=role, username=username)
            return user

    def issue_token(self, actor: Actor, user_id: int, name: str = "", days: int | None = 30) -> tuple[str, User]:
        actor.require("user.admin")
        with transaction(self.factory) as s:
            user = security.get_user(s, user_id)
            token = security.issue_token(s, user, name, days)
            audit.record(s, actor, "token.issue", "user", user.id, name=name)
            return token, user

    def audit_log(self, actor: Actor, **filters) -> tuple[list, int]:
        actor.require("audit.read")
        with self.factory() as s:
            return audit.search(s, **filters)
