"""A fictional, deterministic spine-MDT data set for demonstrations and benchmarks.

Every person in it is invented. Names are drawn from obviously made-up
word-names, MRNs start with ``DEMO`` and national numbers use the 999 test
range. Bulk inserts keep ``--cases 100000`` well under a minute.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, update

from mdtboard.domain import histology, levels, noms, staging
from mdtboard.domain import mscc as mscc_rules
from mdtboard.domain.lifecycle import CaseEvent, after
from mdtboard.domain.scores import evaluate, sins_location_for_level
from mdtboard.domain.vocab import (
    AgendaStatus,
    AttendanceStatus,
    Compartment,
    DecisionStatus,
    DiseaseKind,
    Intent,
    MeetingStatus,
    ReferralStatus,
    Role,
    Sex,
    Urgency,
)
from mdtboard.services import settings
from mdtboard.services.auth import hash_password
from mdtboard.services.context import ServiceContext
from mdtboard.services.seals import seal_decision
from mdtboard.store.audit import load_key
from mdtboard.store.db import sync_id_sequences
from mdtboard.store.models import (
    Action,
    AgendaItem,
    Assessment,
    Attendance,
    CaseOutcome,
    Decision,
    DiscussionTime,
    FollowUp,
    FollowUpItem,
    Meeting,
    Member,
    Modality,
    Patient,
    Referral,
    ReferralLevel,
    Setting,
    User,
)

FICTIONAL_NOTICE = "FICTIONAL DEMO DATA: every patient, clinician and organisation is invented."

GIVEN_NAMES = (
    "Ada",
    "Bram",
    "Cleo",
    "Dorian",
    "Elspeth",
    "Fenwick",
    "Gwen",
    "Horatio",
    "Isolde",
    "Jasper",
    "Kestrel",
    "Lorcan",
    "Marigold",
    "Nerys",
    "Orrin",
    "Peregrine",
    "Quenby",
    "Rosalind",
    "Silas",
    "Tamsin",
    "Ulric",
    "Verity",
    "Wilfred",
    "Xanthe",
    "Yorick",
    "Zinnia",
    "Zoë",
    "Μαρία",
    "Søren",
    "Ingrid",
    "Émile",
    "Niamh",
)
FAMILY_NAMES = (
    "Applethorn",
    "Bramblewood",
    "Cinderfield",
    "Dapplegate",
    "Emberlake",
    "Fernhollow",
    "Gorsebrook",
    "Hazelmere",
    "Inkwhistle",
    "Juniperwell",
    "Kettleby",
    "Larkspurr",
    "Mossbottom",
    "Nettlefold",
    "Oakhaven",
    "Pebblecombe",
    "Quillfeather",
    "Rushwick",
    "Sparrowdale",
    "Thistledown",
    "Underbough",
    "Vellumgate",
    "Willowmere",
    "Yarrowby",
    "Łukasiewicz-Ñúñez",
    "Ødegård",
    "Papadopoulou-Demo",
    "Ó Fictionáin",
)
REFERRERS = (
    ("Dr Fable Hartwell", "Northmoor Fictional Hospital — Oncology"),
    ("Dr Mira Quayle", "Eastbrook Imaginary Medical Centre"),
    ("Mr Otto Penhallow", "St Nowhere's Demo Infirmary — Orthopaedics"),
    ("Dr Lyra Ashgrove", "Westvale Pretend Practice (GP)"),
    ("Dr Caspian Rook", "Southmere Example Cancer Centre"),
    ("Dr Wren Tolliver", "Riverside Sample Hospital — Acute Oncology"),
)
#: fictional GPs and their practices (chosen by case number: the random sequence of the
#: rest of the demo stays as it was)
GPS = (
    ("Dr Tamsin Oakridge", "Hollowmere Fictional Surgery"),
    ("Dr Bertram Fennick", "Lantern Lane Pretend Practice"),
    ("Dr Lyra Ashgrove", "Westvale Pretend Practice (GP)"),
    ("Dr Isolde Marchbank", "Kestrel Green Imaginary Health Centre"),
    ("Dr Ansel Whitcombe", "Millbrook Sample Medical Practice"),
)
MEMBERS: tuple[tuple[str, Role], ...] = (
    ("Ms Imogen Castellane", Role.SPINE_SURGEON),
    ("Mr Tobias Wrexley", Role.SPINE_SURGEON),
    ("Dr Priya Ferncastle", Role.MEDICAL_ONCOLOGIST),
    ("Dr Henrik Vale", Role.MEDICAL_ONCOLOGIST),
    ("Dr Amara Stonebridge", Role.CLINICAL_ONCOLOGIST),
    ("Dr Felix Ormsby", Role.CLINICAL_ONCOLOGIST),
    ("Dr Saoirse Lindqvist", Role.RADIOLOGIST),
    ("Dr Rupert Calloway", Role.PATHOLOGIST),
    ("Dr Nadia Everleigh", Role.PALLIATIVE_CARE),
    ("Sister Maeve Holloway", Role.NURSE_SPECIALIST),
    ("Jonah Pettigrew", Role.COORDINATOR),
    ("Dr Elif Marchbank", Role.OTHER),
)


@dataclass(frozen=True)
class CaseTemplate:
    histology_key: str
    kind: DiseaseKind
    compartment: Compartment
    levels: str
    problem: str
    question: str
    primary_site: str = ""
    urgency: Urgency = Urgency.ROUTINE
    neuro: str = "Neurologically intact"
    deficit: bool = False


T = CaseTemplate
P, M = DiseaseKind.PRIMARY, DiseaseKind.METASTATIC
EXT, IDEM, IM = Compartment.EXTRADURAL, Compartment.IDEM, Compartment.INTRAMEDULLARY

TEMPLATES: tuple[CaseTemplate, ...] = (
    T(
        "met_breast",
        M,
        EXT,
        "T7",
        "Night pain, known breast cancer (2019).",
        "Stability and radiotherapy plan for T7 lesion?",
        "Left breast, ER+ HER2-",
    ),
    T(
        "met_lung_nsclc",
        M,
        EXT,
        "T4-T5",
        "New thoracic back pain and leg weakness for 2 days.",
        "MSCC: surgery or radiotherapy?",
        "Right upper lobe adenocarcinoma, EGFR exon 19",
        Urgency.MSCC,
        "Bilateral leg weakness, Frankel D, sensory level T6",
        True,
    ),
    T(
        "met_prostate",
        M,
        EXT,
        "L3",
        "Lumbar pain, rising PSA.",
        "Radiotherapy for painful L3 metastasis?",
        "Prostate adenocarcinoma",
    ),
    T(
        "met_renal",
        M,
        EXT,
        "T11-T12",
        "Mechanical back pain, 6 weeks.",
        "SINS indeterminate: stabilisation before SBRT?",
        "Clear-cell renal carcinoma",
        Urgency.URGENT,
    ),
    T(
        "met_thyroid",
        M,
        EXT,
        "C5",
        "Neck pain, follicular thyroid cancer.",
        "Role of SBRT after radioiodine?",
        "Follicular thyroid carcinoma",
    ),
    T(
        "met_myeloma",
        M,
        EXT,
        "T9, L1",
        "Collapse of T9 on CT, anaemia.",
        "Vertebroplasty and radiotherapy?",
        "IgG kappa myeloma",
    ),
    T(
        "met_melanoma",
        M,
        EXT,
        "T2",
        "Upper thoracic pain, melanoma on BRAF/MEK.",
        "Separation surgery then SBRT?",
        "Cutaneous melanoma, BRAF V600E",
        Urgency.URGENT,
    ),
    T(
        "met_unknown_primary",
        M,
        EXT,
        "L1",
        "Pathological fracture L1, no known primary.",
        "Biopsy route and staging?",
        "Unknown",
        Urgency.URGENT,
    ),
    T(
        "met_lymphoma",
        M,
        EXT,
        "T10",
        "Epidural mass with cord compression, B symptoms.",
        "MSCC: radiotherapy and chemotherapy?",
        "Diffuse large B-cell lymphoma",
        Urgency.MSCC,
        "Leg weakness, Frankel C",
        True,
    ),
    T(
        "met_colorectal",
        M,
        EXT,
        "S1",
        "Sacral pain, rectal cancer treated 2021.",
        "Local options for S1 metastasis?",
        "Rectal adenocarcinoma",
    ),
    T(
        "ependymoma",
        P,
        IM,
        "C4-C6",
        "Progressive hand clumsiness and dysaesthesia.",
        "Gross total resection?",
        "",
        Urgency.ROUTINE,
        "Mild hand weakness, McCormick II",
    ),
    T(
        "myxopapillary_ependymoma",
        P,
        IDEM,
        "L1-L2",
        "Back pain, saddle paraesthesia.",
        "Resection of filum lesion en bloc?",
    ),
    T(
        "astrocytoma",
        P,
        IM,
        "T3-T6",
        "Progressive gait disturbance and thoracic back pain.",
        "Biopsy or debulking; adjuvant therapy?",
        "",
        Urgency.URGENT,
        "Spastic gait, McCormick III",
    ),
    T(
        "meningioma",
        P,
        IDEM,
        "T8",
        "Slowly progressive leg stiffness, woman aged 70s.",
        "Resection of T8 meningioma?",
        "",
        Urgency.ROUTINE,
        "Mild myelopathy",
    ),
    T(
        "schwannoma",
        P,
        IDEM,
        "L4",
        "Radicular pain mimicking sciatica.",
        "Resection vs surveillance?",
    ),
    T(
        "neurofibroma",
        P,
        IDEM,
        "C2",
        "Dumbbell lesion, neurofibromatosis type 1.",
        "Surgery for symptomatic C2 neurofibroma?",
    ),
    T(
        "chordoma",
        P,
        EXT,
        "S2-S4",
        "Sacral pain and constipation.",
        "En bloc sacrectomy and particle therapy?",
    ),
    T(
        "osteosarcoma",
        P,
        EXT,
        "L2",
        "Young adult, painful lytic L2 lesion.",
        "Neoadjuvant chemotherapy then en bloc resection?",
        "",
        Urgency.URGENT,
    ),
    T(
        "chondrosarcoma",
        P,
        EXT,
        "T6",
        "Painless mass on chest CT.",
        "Wide resection planning (WBB)?",
    ),
    T(
        "ewing_sarcoma",
        P,
        EXT,
        "L5",
        "Young adult with fever, night pain and a lytic L5 lesion.",
        "Multimodal plan: chemotherapy, surgery, radiotherapy?",
        "",
        Urgency.URGENT,
    ),
    T(
        "haemangioblastoma",
        P,
        IM,
        "T11",
        "Known von Hippel–Lindau, syrinx on MRI.",
        "Resection timing?",
    ),
    T(
        "plasmacytoma",
        P,
        EXT,
        "T12",
        "Solitary lytic lesion, no myeloma on staging.",
        "Definitive radiotherapy?",
    ),
    T("giant_cell_tumour", P, EXT, "C3", "Expansile lytic C3 lesion.", "Denosumab before surgery?"),
    T(
        "aneurysmal_bone_cyst",
        P,
        EXT,
        "L4",
        "Fluid-fluid levels on MRI.",
        "Embolisation, sclerotherapy or curettage?",
    ),
    T(
        histology.AWAITING_BIOPSY,
        DiseaseKind.UNCERTAIN,
        EXT,
        "T8-T9",
        "Destructive T8 lesion crossing the disc; fever.",
        "Tumour vs spondylodiscitis: biopsy?",
        "",
        Urgency.URGENT,
    ),
    T(
        "met_breast",
        M,
        EXT,
        "C7-T1",
        "Neck and arm pain, HER2+ breast cancer.",
        "Junctional lesion: stabilise?",
        "Right breast, HER2+",
        Urgency.URGENT,
    ),
    T(
        "met_lung_sclc",
        M,
        EXT,
        "T3",
        "Band-like chest pain, urinary retention.",
        "MSCC in small-cell lung cancer",
        "Small-cell lung carcinoma",
        Urgency.MSCC,
        "Frankel B, urinary retention",
        True,
    ),
    T(
        "met_prostate",
        M,
        EXT,
        "T8, L2-L3",
        "Multiple bone metastases, castrate-resistant.",
        "Palliative radiotherapy and systemic options?",
        "Prostate, castrate-resistant",
    ),
    T(
        "met_renal",
        M,
        EXT,
        "L4",
        "Oligometastatic renal cancer, solitary L4.",
        "SBRT or en bloc for solitary metastasis?",
        "Papillary renal carcinoma",
    ),
    T(
        "met_lung_nsclc",
        M,
        EXT,
        "T10-T11",
        "Pain on walking, ALK-positive NSCLC.",
        "Stabilisation and SBRT?",
        "Lung adenocarcinoma, ALK+",
        Urgency.URGENT,
    ),
)

QUESTIONS_FALLBACK = "Management plan?"

#: Demo accounts (documented in the README). Fictional; never use these passwords for real.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("admin", "Demo Administrator", "administrator", "demo-admin-pass"),
    ("coordinator", "Jonah Pettigrew (demo)", "coordinator", "demo-coordinator-pass"),
    ("clinician", "Dr Priya Ferncastle (demo)", "clinician", "demo-clinician-pass"),
    ("chair", "Ms Imogen Castellane (demo)", "chair", "demo-chair-pass"),
    ("viewer", "Read-only Viewer (demo)", "read_only", "demo-viewer-pass"),
)


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    referrals: int
    meetings: int
    decisions: int


def _person(rng: random.Random, i: int) -> dict[str, Any]:
    given = GIVEN_NAMES[rng.randrange(len(GIVEN_NAMES))]
    family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))]
    dob = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))
    return {
        "id": i + 1,
        "mrn": f"DEMO{i + 1:07d}",
        "national_number": f"999 {rng.randrange(1000):03d} {rng.randrange(10000):04d}"
        if rng.random() < 0.7
        else None,
        "family_name": family,
        "given_name": given,
        "date_of_birth": dob,
        "sex": rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN]),
    }


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def generate(
    ctx: ServiceContext,
    *,
    cases: int = 40,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with fictional demo data in one transaction."""
    if cases < 1:
        raise ValueError("cases: must be at least 1")
    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    # The next Tuesday after today (upcoming meeting) and the three before it (past).
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    last_tuesday = next_tuesday - timedelta(days=7)
    past_days = [last_tuesday - timedelta(days=7 * k) for k in (2, 1, 0)]
    chunk = 5000

    with ctx.unit_of_work() as s:
        # the mark every screen reads to say "DEMO — fictional data"
        s.add(Setting(key=settings.DEMO_MARK, value=settings.DEMO_VALUE))
        member_rows = [
            {
                "id": i + 1,
                "name": name + " (demo)",
                "role": role,
                "email": "",
                "active": True,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for i, (name, role) in enumerate(MEMBERS)
        ]
        s.execute(insert(Member), member_rows)
        chair_id = 1
        s.execute(
            insert(User),
            [
                {
                    "username": u,
                    "display_name": n,
                    "role": r,
                    "password_hash": hash_password(p),
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for u, n, r, p in DEMO_ACCOUNTS
            ],
        )

        patients: list[dict[str, Any]] = []
        referrals: list[dict[str, Any]] = []
        level_rows: list[dict[str, Any]] = []
        for i in range(cases):
            template = TEMPLATES[i % len(TEMPLATES)]
            person = _person(rng, i)
            person.update(version=1, created_at=now, updated_at=now)
            patients.append(person)
            lv = levels.parse_levels(template.levels)
            received = now - timedelta(days=rng.randrange(1, 60), minutes=rng.randrange(1440))
            imaging = rng.random() < 0.85
            pathology = template.histology_key != histology.AWAITING_BIOPSY and rng.random() < 0.8
            referrer = REFERRERS[rng.randrange(len(REFERRERS))]
            gp = referrer if referrer[1].endswith("(GP)") else GPS[i % len(GPS)]
            mscc = template.urgency == Urgency.MSCC
            red_flags = _demo_red_flags(template)
            # on a QS56 pathway (suspected MSCC, or known cancer with spinal pain): the
            # suspicion is the referral, the scan within the standard
            on_pathway = mscc_rules.clocks_apply(template.urgency, red_flags or ())
            scan_delay = min(
                timedelta(hours=rng.randrange(3, 30))  # now and then beyond the 24 hours
                if mscc
                else timedelta(hours=24 + (7 * i) % 96),
                (now - received) / 2,  # never in the future
            )
            referrals.append(
                {
                    "id": i + 1,
                    "patient_id": i + 1,
                    "received_at": received,
                    "referrer_name": referrer[0],
                    "referrer_organisation": referrer[1],
                    # a GP who refers is the patient's GP
                    "gp_name": gp[0],
                    "gp_practice": gp[1],
                    "copy_to": "",
                    "urgency": template.urgency,
                    "presenting_problem": template.problem,
                    "question": template.question or QUESTIONS_FALLBACK,
                    "disease_kind": template.kind,
                    "primary_site": template.primary_site,
                    "histology_key": template.histology_key,
                    "compartment": template.compartment,
                    "levels_text": levels.format_levels(lv),
                    "neuro_status": template.neuro,
                    "neuro_deficit": template.deficit,
                    "imaging_available": imaging,
                    "imaging_date": (received - timedelta(days=rng.randrange(0, 10))).date()
                    if imaging
                    else None,
                    "pathology_available": pathology,
                    "pathology_date": (received - timedelta(days=rng.randrange(5, 40))).date()
                    if pathology
                    else None,
                    "biopsy_deferral_rationale": "",
                    "mscc_suspected_at": received if on_pathway else None,
                    "mri_at": received + scan_delay if on_pathway else None,
                    "plan_agreed_at": None,
                    "treatment_started_at": None,
                    "dexamethasone_started_at": received + timedelta(hours=1) if mscc else None,
                    "dexamethasone_omitted_reason": "",
                    "red_flags": red_flags,
                    "status": ReferralStatus.NEW,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            level_rows.extend(
                {"referral_id": i + 1, "level": lvl, "ordinal": levels.index(lvl)} for lvl in lv
            )
            if len(patients) >= chunk:
                _flush(s, patients, referrals, level_rows)
                if progress:
                    progress(i + 1, cases)
        _flush(s, patients, referrals, level_rows)

        # Scores for the first cases (answers through the clinical engine).
        assessments: list[dict[str, Any]] = []
        for rid in range(1, min(cases, 60) + 1):
            template = TEMPLATES[(rid - 1) % len(TEMPLATES)]
            for tool_id, answers, subject in _demo_scores(rng, template):
                if tool_id == staging.TOOL_ID:
                    answers = staging.clean(answers)
                    st = staging.evaluate_staging(answers)
                    total, band, complete = None, st.band, st.complete
                else:
                    r = evaluate(tool_id, answers)
                    total, band, complete = r.total, r.band, r.complete
                assessments.append(
                    {
                        "referral_id": rid,
                        "tool_id": tool_id,
                        "subject": subject,
                        "answers": answers,
                        "total": total,
                        "band": band,
                        "complete": complete,
                        "entered_by": "demo",
                        "entered_at": now,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        if assessments:
            s.execute(insert(Assessment), assessments)

        # Meetings: three past (closed, with decisions) and one upcoming with an agenda.
        meetings = []
        for k, day in enumerate([*past_days, next_tuesday]):
            meeting = Meeting(
                starts_at=_at(day, 8),
                title=f"Spine oncology MDT — {day:%d %b %Y}",
                location="Seminar room 2, Fictional Spine Centre",
                video_link="",
                chair_id=chair_id,
                status=MeetingStatus.CLOSED if k < 3 else MeetingStatus.PLANNED,
            )
            s.add(meeting)
            meetings.append(meeting)
        s.flush()
        n_decisions = 0
        signed: list[Decision] = []
        per_meeting = max(1, min(8, cases // 5))
        referral_id = 1
        for k, meeting in enumerate(meetings):
            for mid, (_name, role) in enumerate(MEMBERS, start=1):
                if k < 3:
                    status = (
                        AttendanceStatus.APOLOGIES
                        if (mid + k) % 7 == 0
                        else AttendanceStatus.PRESENT
                    )
                else:
                    status = AttendanceStatus.EXPECTED
                if role == Role.OTHER and k < 3:
                    status = AttendanceStatus.GUEST
                s.add(Attendance(meeting_id=meeting.id, member_id=mid, status=status))
            for position in range(1, per_meeting + 1):
                if referral_id > cases:
                    break
                ref = referrals_by_id(s, referral_id)
                past = k < 3
                deferred = past and position == per_meeting and k == 2
                item = AgendaItem(
                    meeting_id=meeting.id,
                    referral_id=referral_id,
                    patient_id=referral_id,
                    position=position,
                    status=(AgendaStatus.DEFERRED if deferred else AgendaStatus.DISCUSSED)
                    if past
                    else AgendaStatus.LISTED,
                    reason="Awaiting updated MRI" if deferred else "",
                    version=1,
                )
                s.add(item)
                s.flush()
                if past:
                    _received_before(s, ref, meeting.starts_at, days=3 + referral_id % 11)
                # the demo follows the one lifecycle table like every service
                ref.status = after(ref.status, CaseEvent.LISTED)
                if past and not deferred:
                    signed.append(_demo_decision(s, rng, item, ref, meeting))
                    n_decisions += 1
                    ref.status = after(ref.status, CaseEvent.SIGNED_OFF)
                elif past:
                    ref.status = after(ref.status, CaseEvent.DEFERRED)
                referral_id += 1
        s.flush()
        # the demo's sign-offs are sealed and audited like any other (services.seals)
        s.flush()
        key = load_key()
        for decision in signed:
            digest = seal_decision(s, decision, key)
            ctx.audit(
                s,
                "sign_off",
                "decision",
                decision.id,
                f"signed off by {decision.signed_off_by} (fictional demo); seal {digest}",
            )
        followed = _demo_followup(s, signed, today, seed)
        if followed:
            ctx.audit(
                s,
                "followup",
                "database",
                "",
                f"fictional demo follow-up and outcomes for {followed} decisions",
            )
        sync_id_sequences(s, ["members", "users", "patients", "referrals"])
        ctx.audit(
            s,
            "create",
            "database",
            "",
            f"demo data set created: {cases} fictional cases, seed {seed}",
        )
    return DemoSummary(
        patients=cases, referrals=cases, meetings=len(meetings), decisions=n_decisions
    )


def _demo_followup(s: Any, signed: list[Decision], today: date, seed: int) -> int:
    """Fictional follow-up for the closed meetings' decisions (issue 19 part 8): most
    treatments started or completed within days of sign-off, now and then one not given
    with a reason, the newest meeting's still partly unrecorded; an outcome for most
    cases; the minutes each case was discussed. Its own random sequence, so the rest of
    the demo stays as it was."""
    rng = random.Random(seed * 7919 + 19)
    reasons = ("patient_choice", "clinical_deterioration", "not_fit", "plan_changed")
    done = 0
    for d in signed:
        assert d.signed_off_at is not None
        signed_on = d.signed_off_at.date()
        age = (today - signed_on).days
        s.add(DiscussionTime(agenda_item_id=d.agenda_item_id, seconds=rng.randrange(150, 900)))
        if age < 2 or (age < 8 and rng.random() < 0.5):
            continue  # not yet followed up: the "follow-up due" list has something to show
        f = FollowUp(decision_id=d.id, recorded_by="demo", version=1)
        s.add(f)
        for m in d.modalities:
            roll = rng.random()
            start = signed_on + timedelta(days=rng.randrange(0, min(age, 6) + 1))
            if roll < 0.12:
                item = FollowUpItem(status="not_given", reason=rng.choice(reasons))
            elif roll < 0.2:
                item = FollowUpItem(status="not_started")
            elif roll < 0.6 and (today - start).days >= 2:
                end = start + timedelta(days=rng.randrange(0, (today - start).days))
                item = FollowUpItem(status="completed", started_on=start, completed_on=end)
            else:
                item = FollowUpItem(status="started", started_on=start)
            item.modality_id = m.id
            f.items.append(item)
        f.bring_back = any(i.status == "not_given" for i in f.items) and rng.random() < 0.5
        referral_id = d.agenda_item.referral_id
        died = rng.random() < 0.08
        last = today - timedelta(days=rng.randrange(0, 3))
        s.add(
            CaseOutcome(
                referral_id=referral_id,
                vital_status="died" if died else "alive",
                status_on=signed_on + timedelta(days=rng.randrange(1, age)) if died else last,
                version=1,
            )
        )
        done += 1
    s.flush()
    return done


def _demo_red_flags(template: CaseTemplate) -> list[str] | None:
    """Red flags that agree with the case's urgency (the suggestion is never higher)."""
    if template.urgency == Urgency.MSCC:
        return ["band_like_pain", "limb_weakness", "cancer_history"]
    if template.kind != "metastatic":
        return None
    if template.urgency == Urgency.URGENT:
        return ["night_pain", "cancer_history"]
    return ["cancer_history"]


def _received_before(s: Any, ref: Referral, meeting_at: datetime, days: int) -> None:
    """A case discussed at a past meeting was referred before it: move its referral,
    pathway and imaging times back together, and its scores to before the meeting."""
    latest = meeting_at - timedelta(days=days)
    shift = ref.received_at - latest
    if shift > timedelta(0):
        ref.received_at -= shift
        for name in ("mscc_suspected_at", "mri_at", "dexamethasone_started_at"):
            value = getattr(ref, name)
            if value is not None:
                setattr(ref, name, value - shift)
        for name in ("imaging_date", "pathology_date"):
            value = getattr(ref, name)
            if value is not None:
                setattr(ref, name, (datetime.combine(value, time(12), UTC) - shift).date())
    s.execute(
        update(Assessment)
        .where(Assessment.referral_id == ref.id)
        .values(entered_at=meeting_at - timedelta(minutes=30))
    )


def referrals_by_id(s: Any, rid: int) -> Referral:
    ref: Referral | None = s.get(Referral, rid)
    assert ref is not None
    return ref


def _flush(
    s: Any,
    patients: list[dict[str, Any]],
    referrals: list[dict[str, Any]],
    level_rows: list[dict[str, Any]],
) -> None:
    if patients:
        s.execute(insert(Patient), patients)
        s.execute(insert(Referral), referrals)
        s.execute(insert(ReferralLevel), level_rows)
    patients.clear()
    referrals.clear()
    level_rows.clear()


#: fictional staging of the demo's primary bone tumours (§12): stage, drawn cells, en bloc
_DEMO_STAGING: dict[str, tuple[str, tuple[str, ...], str]] = {
    "chordoma": ("ib", ("5b", "6b", "7b", "6c", "7c", "6a"), "feasible"),
    "chondrosarcoma": ("ia", ("8b", "9b", "9c", "10b"), "feasible"),
    "osteosarcoma": ("iib", ("4b", "5b", "5c", "6c", "5d"), "undecided"),
    "ewing_sarcoma": ("iib", ("3b", "4b", "4c", "3a"), "not_feasible"),
    "giant_cell_tumour": ("s3", ("5b", "6b", "6c"), "feasible"),
    "aneurysmal_bone_cyst": ("s2", ("11b", "12b", "1b"), "undecided"),
}


def _demo_scores(rng: random.Random, t: CaseTemplate) -> list[tuple[str, dict[str, Any], str]]:
    """(tool, answers, subject) for one demo case; staging records name their lesion."""
    kps = rng.choice([50, 60, 70, 80, 90])
    scores: list[tuple[str, dict[str, Any], str]] = [("kps", {"kps": kps}, "")]
    if t.histology_key in _DEMO_STAGING:
        stage, cells, en_bloc = _DEMO_STAGING[t.histology_key]
        lesion = levels.format_levels(levels.parse_levels(t.levels))
        scores.append(
            (
                staging.TOOL_ID,
                {"enneking": stage, "cells": list(cells), "en_bloc": en_bloc},
                lesion,
            )
        )
    if t.kind == DiseaseKind.METASTATIC:
        first = levels.parse_levels(t.levels)[0]
        scores.append(
            (
                "sins",
                {
                    "location": sins_location_for_level(first),
                    "pain": rng.choice(["mechanical", "occasional_non_mechanical", "pain_free"]),
                    "bone_lesion": rng.choice(["lytic", "mixed", "blastic"]),
                    "alignment": rng.choice(["normal", "normal", "de_novo_deformity"]),
                    "collapse": rng.choice(["none", "under_50", "none_over_50_involved"]),
                    "posterolateral": rng.choice(["none", "unilateral", "bilateral"]),
                },
                "",
            )
        )
        grade = "2" if t.deficit else rng.choice(["0", "1a", "1b", "1c"])
        scores.append(("escc", {"grade": grade}, ""))
        scores.append(("frankel", {"grade": "d" if t.deficit else "e"}, ""))
    elif t.compartment == Compartment.INTRAMEDULLARY:
        scores.append(("mccormick", {"grade": rng.choice(["i", "ii", "iii"])}, ""))
    return scores


def _demo_decision(
    s: Any, rng: random.Random, item: AgendaItem, ref: Referral, meeting: Meeting
) -> Decision:
    h = histology.CATALOGUE.get(ref.histology_key)
    sensitive = h is not None and h.radiosensitivity == "radiosensitive"
    mods: list[tuple[str, dict[str, Any]]]
    if ref.disease_kind == DiseaseKind.METASTATIC:
        if sensitive:
            intent, mods = Intent.PALLIATIVE, [("cebrt", {"dose_gy": 20, "fractions": 5})]
        else:
            intent, mods = Intent.DISEASE_CONTROL, [("sbrt", {"dose_gy": 27, "fractions": 3})]
        if ref.neuro_deficit:
            mods.insert(0, ("dexamethasone", {"dose_mg": 16}))
        mods.append(("palliative_care", {}))
        plan = "Radiotherapy to the spinal lesion with palliative care support."
    else:
        intent = Intent.CURATIVE
        mods = [
            (
                "surgery",
                {
                    "procedure": "total_resection_intradural"
                    if ref.compartment != Compartment.EXTRADURAL
                    else "en_bloc_resection"
                },
            )
        ]
        plan = "Surgical resection; review histology at the next MDT."
        if ref.histology_key in ("chordoma", "chondrosarcoma"):
            mods.append(
                ("particle_therapy", {"particle": "protons", "dose_gy": 74, "fractions": 37})
            )
            plan = "En bloc resection, then proton therapy; planned with the sarcoma service."
    signed_at = meeting.starts_at + timedelta(minutes=10 + 3 * item.position)
    suggestion = noms.from_scores(
        "high_grade" if ref.neuro_deficit else "low_grade",
        ref.histology_key,
        "stable",
        True,
        disease_kind=str(ref.disease_kind),
    )
    decision = Decision(
        agenda_item_id=item.id,
        revision=1,
        intent=intent,
        plan_text=plan,
        rationale=(
            "Fictional demo rationale: based on histology, staging and fitness."
            if ref.disease_kind == DiseaseKind.PRIMARY
            else "Fictional demo rationale: based on histology, NOMS assessment and fitness."
        ),
        dissent="",
        patient_preferences="Patient wishes to stay close to home (fictional).",
        patient_informed=True,
        quorate=True,
        noms_band=suggestion.band,
        fit_for_surgery=True,
        status=DecisionStatus.SIGNED_OFF,
        signed_off_by=MEMBERS[0][0] + " (demo)",
        signed_off_at=signed_at,
        version=1,
    )
    for n, (kind, details) in enumerate(mods, start=1):
        decision.modalities.append(Modality(sequence=n, kind=kind, details=details))
    decision.actions.append(
        Action(
            description="Send outcome letter to referrer",
            owner=MEMBERS[10][0] + " (demo)",
            due_date=(signed_at + timedelta(days=1)).date(),
            done_at=signed_at + timedelta(hours=20) if rng.random() < 0.6 else None,
        )
    )
    s.add(decision)
    if ref.urgency == Urgency.MSCC and ref.mri_at is not None:
        # an emergency is planned the day it is scanned, before the weekly meeting, and
        # radiotherapy starts within the day (QS56 statements 3 and 6)
        ref.plan_agreed_at = ref.mri_at + timedelta(hours=2 + item.position % 3)
        ref.treatment_started_at = ref.plan_agreed_at + timedelta(hours=8 + item.position)
        return decision
    ref.plan_agreed_at = signed_at
    started = signed_at + timedelta(days=1 + item.position % 5)
    if item.position % 3 != 0 and started < datetime.now(UTC):
        ref.treatment_started_at = started  # most plans started; the rest wait (clock running)
    return decision
