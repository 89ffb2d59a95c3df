"""Every action input that names another object is looked up in the actor's scope — proven for every one.

The enumerations find what exists: each field of every JSON API operation's query, form and body, and each
field of every page form, whose name says it names another object (an id, a code, a login, a handler ...).
Each must be listed below with the place that looks it up and the test that proves a value in scope works
while a foreign one is refused. A new operation or form with such a field fails here, naming it, until its
lookup is written and proven (docs/security.md, "Values that name another object").
"""

from __future__ import annotations

import importlib
import re

import pytest

from tests.test_text_input import _operations, project_forms

# A field whose name ends like these names another object (or an area).
REFERENCE_NAME = re.compile(
    r"(_id|_ids|_code|_number)$|^(area|code|into|username|target|key|ref|present|members|leader|"
    r"participants|catalogue_item|village_group|village_groups|within|category|master|meeting|topics|"
    r"opinion|comment|member|organisation|parent|grid|household|resident|worker|branch|case|user|board|"
    r"committee)$"
)

# How a value is taken: looked up (in scope, or among what the action offers), narrowing a list that is itself
# scoped, or not a reference at all (text, a count, one's own login).
RESOLVED, FILTER, NOT_A_REFERENCE = "resolved", "filter", "not a reference"

CASES = "tests/cases/test_references.py"
DELIBERATION = "tests/deliberation/test_references.py"
WORKFORCE = "tests/workforce/test_references.py"
PEOPLE = "tests/people/test_references.py"
DISCLOSURE = "tests/disclosure/test_references.py"
AREAS = "tests/areas/test_references.py"
OPEN311 = "tests/integrations/test_open311.py"
OPEN311_JURISDICTION = f"{OPEN311}::test_an_empty_jurisdiction_is_absent_and_a_named_one_narrows"
DISPATCH_PROOF = (
    f"{CASES}::test_api_dispatch_to_anyone_not_offered_is_refused_and_changes_nothing",
    f"{CASES}::test_api_dispatch_by_kind_and_login_is_held_to_the_same_list",
)
PEOPLE_PROOF = (
    f"{PEOPLE}::test_a_foreign_grid_household_or_person_is_not_found_and_nothing_changes",
    f"{PEOPLE}::test_the_same_inputs_inside_the_village_are_taken",
)
WORKFORCE_AREAS = f"{WORKFORCE}::test_areas_named_by_workforce_actions_are_looked_up_in_scope"
UNIT_AND_BRANCH = "tests/workforce/test_member_kinds.py::test_the_api_takes_a_unit_and_a_branch_only_from_what_the_caller_may_name"
AGENDA = f"{DELIBERATION}::test_an_agenda_and_an_attendance_name_the_committees_own_topics_and_members"

# (operation, field) → (kind, where it is looked up, proofs)
API_INPUTS: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {
    # cases
    ("POST /cases/", "patrol_id"): (
        RESOLVED,
        "cases.integrations.own_patrol_for (the caller's own patrols)",
        (f"{CASES}::test_a_report_on_ones_own_patrol_counts_and_on_someone_elses_is_refused",),
    ),
    ("POST /cases/", "category"): (NOT_A_REFERENCE, "a service type code: public reference data", ()),
    ("POST /cases/entries", "category"): (NOT_A_REFERENCE, "a service type code: public reference data", ()),
    ("POST /cases/entries", "area_code"): (
        RESOLVED,
        "services.case_enter: in_scope(INTAKE_ROLES), 400 naming the field",
        ("tests/cases/test_staff_entry.py::test_the_page_and_the_api_allow_and_refuse_the_same_people",),
    ),
    ("GET /cases/", "category"): (FILTER, "narrows the caller's scoped queue", ()),
    # the 12345 hotline exchange (cases/api/hotline.py)
    ("GET /hotline/outcomes", "area"): (
        FILTER,
        "narrows the scoped feed; outside the caller's scope 404",
        (),
    ),
    ("POST /hotline/orders", "area"): (
        RESOLVED,
        "services.hotline._resolve_area (an area of the city), then the intake's in_scope(INTAKE_ROLES)",
        ("tests/cases/test_hotline.py::test_a_key_of_another_county_neither_files_nor_sees_these_orders",),
    ),
    ("POST /hotline/orders", "city_code"): (
        RESOLVED,
        "services.hotline.order_take: a number another area holds answers 409 without its content",
        ("tests/cases/test_hotline.py::test_a_key_of_another_county_neither_files_nor_sees_these_orders",),
    ),
    ("GET /cases/", "area"): (FILTER, "narrows the caller's scoped queue", ()),
    ("GET /cases/callbacks", "area"): (FILTER, "narrows the caller's scoped callback list", ()),
    ("POST /cases/{int:case_id}/actions/dispatch", "target"): (
        RESOLVED,
        "cases.selectors.resolve_target among dispatch_targets_for(case, actor), under the case's lock",
        DISPATCH_PROOF,
    ),
    ("POST /cases/{int:case_id}/actions/dispatch", "target.key"): (RESOLVED, "as target", DISPATCH_PROOF),
    ("POST /cases/{int:case_id}/actions/dispatch", "target.ref"): (RESOLVED, "as target", DISPATCH_PROOF),
    ("POST /cases/{int:case_id}/actions/dispatch", "target.user_id"): (RESOLVED, "as target", DISPATCH_PROOF),
    ("POST /cases/{int:case_id}/actions/merge", "master_id"): (
        RESOLVED,
        "cases.selectors.merge_master_for (intake scope), and effects._merge again",
        (
            f"{CASES}::test_api_merge_into_a_case_of_the_area_works_and_into_a_foreign_one_is_refused",
            f"{CASES}::test_the_workflow_refuses_a_foreign_master_whoever_calls_it",
        ),
    ),
    # deliberation
    ("GET /deliberation/committees", "area"): (FILTER, "narrows the committees the caller may see", ()),
    ("POST /deliberation/committees", "area_code"): (
        RESOLVED,
        "deliberation.services._require_manager (404 outside scope)",
        (f"{DELIBERATION}::test_a_committee_is_founded_on_a_village_and_group_of_ones_own_only",),
    ),
    ("POST /deliberation/committees", "village_group_number"): (
        RESOLVED,
        "a number of the committee's own village (api.committee_create, services.committee_create)",
        (f"{DELIBERATION}::test_a_committee_is_founded_on_a_village_and_group_of_ones_own_only",),
    ),
    ("POST /deliberation/committees/{committee_id}/members", "username"): (
        RESOLVED,
        "deliberation.selectors.member_login_for (logins of the village, in scope), services again",
        (
            f"{DELIBERATION}::test_api_seats_a_login_of_the_village_and_refuses_any_other",
            f"{DELIBERATION}::test_the_service_refuses_a_member_login_from_outside_the_village",
        ),
    ),
    ("POST /deliberation/topics/{topic_id}/actions/draft", "meeting_id"): (
        RESOLVED,
        "deliberation.selectors.meeting_of_topic (the topic's committee's meetings)",
        (f"{DELIBERATION}::test_api_resolution_names_a_meeting_of_its_committee_only",),
    ),
    ("POST /deliberation/topics/{topic_id}/actions/tally", "meeting_id"): (
        RESOLVED,
        "deliberation.selectors.meeting_of_topic",
        (f"{DELIBERATION}::test_api_count_names_a_meeting_of_its_committee_only",),
    ),
    ("POST /deliberation/topics/{topic_id}/actions/tally", "present"): (NOT_A_REFERENCE, "a head count", ()),
    ("POST /deliberation/topics/{topic_id}/actions/correct_opinion", "opinion_id"): (
        RESOLVED,
        "deliberation.selectors.opinion_of_topic (an opinion of the topic, else 404), workflow: one's own",
        (f"{DELIBERATION}::test_a_correction_names_an_opinion_of_its_own_topic_only",),
    ),
    ("POST /deliberation/topics/{topic_id}/ratings", "comment"): (NOT_A_REFERENCE, "text", ()),
    ("POST /deliberation/topics/{topic_id}/links", "target_id"): (
        RESOLVED,
        "deliberation.services.topic_link_case: a case the linker can see (a notice: its public number)",
        (f"{DELIBERATION}::test_a_topic_links_a_case_its_linker_can_see_and_no_other",),
    ),
    ("POST /deliberation/committees/{committee_id}/meetings", "topic_ids"): (
        RESOLVED,
        "deliberation.services._agenda_topics (the committee's own topics)",
        (AGENDA,),
    ),
    ("POST /deliberation/committees/{committee_id}/meetings/offline", "topic_ids"): (
        RESOLVED,
        "deliberation.services._agenda_topics",
        (AGENDA,),
    ),
    ("POST /deliberation/committees/{committee_id}/meetings/offline", "present"): (
        RESOLVED,
        "deliberation.services.meeting_record (members expected at the meeting)",
        (AGENDA,),
    ),
    ("POST /deliberation/meetings/{meeting_id}/record", "present"): (
        RESOLVED,
        "deliberation.services.meeting_record",
        (AGENDA,),
    ),
    # disclosure
    ("POST /disclosure/boards/{board_id}/notices", "catalogue_item"): (
        RESOLVED,
        "disclosure.selectors.catalogue_item_of (the board's own items)",
        (f"{DISCLOSURE}::test_api_files_a_notice_under_its_boards_item_only",),
    ),
    ("POST /disclosure/boards", "village_code"): (
        RESOLVED,
        "disclosure.api.board_create: rules.can_manage_board (404 outside scope)",
        (f"{DISCLOSURE}::test_a_board_is_set_up_on_a_village_and_group_of_ones_own_only",),
    ),
    ("POST /disclosure/boards", "village_group"): (
        RESOLVED,
        "a number of the board's own village",
        (f"{DISCLOSURE}::test_a_board_is_set_up_on_a_village_and_group_of_ones_own_only",),
    ),
    # people
    ("GET /people/households", "area"): (FILTER, "narrows the scoped register", ()),
    ("GET /people/residents", "area"): (FILTER, "narrows the scoped register", ()),
    ("GET /people/duplicates", "area"): (FILTER, "narrows the scoped register", ()),
    ("GET /people/places", "area"): (FILTER, "narrows the scoped places", ()),
    ("POST /people/households", "grid_code"): (
        RESOLVED,
        "people.services: require(can_write_register)",
        PEOPLE_PROOF,
    ),
    ("POST /people/households/{household_id}/move", "to_grid_code"): (
        RESOLVED,
        "people.services.household_move: require(can_write_register)",
        PEOPLE_PROOF,
    ),
    ("POST /people/residents", "household_id"): (
        RESOLVED,
        "people.selectors.household_get_for",
        PEOPLE_PROOF,
    ),
    ("POST /people/residents", "id_number"): (NOT_A_REFERENCE, "the person's own ID number", ()),
    ("PATCH /people/residents/{resident_id}", "id_number"): (
        NOT_A_REFERENCE,
        "the person's own ID number",
        (),
    ),
    ("POST /people/residents/{resident_id}/move", "to_household_id"): (
        RESOLVED,
        "people.selectors.household_get_for",
        PEOPLE_PROOF,
    ),
    ("POST /people/duplicates/merge", "kept_id"): (
        RESOLVED,
        "people.selectors.resident_get_for",
        PEOPLE_PROOF,
    ),
    ("POST /people/duplicates/merge", "merged_id"): (
        RESOLVED,
        "people.selectors.resident_get_for",
        PEOPLE_PROOF,
    ),
    ("POST /people/places", "area_code"): (
        RESOLVED,
        "people.services: require(can_write_place)",
        PEOPLE_PROOF,
    ),
    ("POST /people/imports", "area_code"): (
        RESOLVED,
        "people.api.imports: require(can_transfer)",
        PEOPLE_PROOF,
    ),
    # workforce
    ("GET /workforce/party/organisations", "area"): (FILTER, "narrows the scoped list", ()),
    ("POST /workforce/party/organisations", "area_code"): (
        RESOLVED,
        "workforce.services.party: require(can_manage_party)",
        (WORKFORCE_AREAS,),
    ),
    ("POST /workforce/party/organisations", "parent_id"): (
        RESOLVED,
        "workforce.selectors.party_organisation_get_for (get_in_scope_or_404)",
        (f"{WORKFORCE}::test_party_inputs_name_organisations_and_members_in_scope_only",),
    ),
    ("POST /workforce/party/members", "organisation_id"): (
        RESOLVED,
        "workforce.selectors.party_organisation_get_for",
        (f"{WORKFORCE}::test_party_inputs_name_organisations_and_members_in_scope_only",),
    ),
    ("POST /workforce/party/members", "home_grid_code"): (
        NOT_A_REFERENCE,
        "where the member lives (any grid); the check-in goes to that grid's branch, whose managers decide",
        (),
    ),
    ("POST /workforce/party/members", "unit_id"): (
        RESOLVED,
        "people.selectors.place_get_for (a place in the caller's scope; else 404)",
        (f"{UNIT_AND_BRANCH}",),
    ),
    ("GET /workforce/check-ins", "area"): (FILTER, "narrows the scoped list", ()),
    ("GET /workforce/check-ins/targets", "member_id"): (
        RESOLVED,
        "workforce.selectors.party_member_for_check_in: rules.can_request_check_in (the member, or a manager of their branch; else 404)",
        (f"{UNIT_AND_BRANCH}",),
    ),
    ("POST /workforce/check-ins", "branch_id"): (
        RESOLVED,
        "workforce.services.party.check_in_request: among check_in_targets(member), by the member's kind (400)",
        (f"{UNIT_AND_BRANCH}",),
    ),
    ("POST /workforce/check-ins", "member_id"): (
        RESOLVED,
        "workforce.rules.can_request_check_in (the member, or a manager of their branch; else 404)",
        (f"{WORKFORCE}::test_party_inputs_name_organisations_and_members_in_scope_only",),
    ),
    ("PUT /workforce/workers/{pk}/duties", "area_code"): (
        RESOLVED,
        "workforce.services.worker_duties_set: require(can_manage_workforce)",
        (WORKFORCE_AREAS,),
    ),
    ("POST /workforce/roster/import", "area"): (RESOLVED, "services.roster: require", (WORKFORCE_AREAS,)),
    ("GET /workforce/roster/export", "area"): (RESOLVED, "services.roster: require", (WORKFORCE_AREAS,)),
    ("POST /workforce/patrols", "grid_code"): (
        RESOLVED,
        "workforce.services.patrols.patrol_start: the grids the worker serves today",
        (f"{WORKFORCE}::test_a_patrol_is_counted_in_a_grid_the_worker_serves_today_only",),
    ),
    ("POST /workforce/patrols/{pk}/end", "grid_code"): (NOT_A_REFERENCE, "not read when ending a patrol", ()),
    ("POST /workforce/patrols/{pk}/findings", "case_id"): (
        RESOLVED,
        "workforce.extensions.may_name_case (cases: a case the writer can see)",
        (f"{WORKFORCE}::test_a_finding_names_a_case_its_writer_can_see_and_no_other",),
    ),
    ("GET /workforce/workload", "area"): (
        RESOLVED,
        "selectors.worker_workload: 404 outside scope",
        ("tests/workforce/test_api.py::test_workload_ranked_for_supervisors",),
    ),
    ("GET /workforce/groups", "area"): (FILTER, "narrows the scoped list", ()),
    ("POST /workforce/groups", "area_code"): (
        RESOLVED,
        "workforce.services.groups: require(can_manage_groups)",
        (WORKFORCE_AREAS,),
    ),
    ("POST /workforce/groups", "leader"): (NOT_A_REFERENCE, "a name, as written", ()),
    ("POST /workforce/groups", "members"): (NOT_A_REFERENCE, "names, as written", ()),
    ("POST /workforce/groups/{pk}/activities", "participant_ids"): (
        RESOLVED,
        "workforce.services.groups.group_activity_record (the group's own members)",
        (f"{WORKFORCE}::test_an_activity_names_members_of_its_own_group_only",),
    ),
    # insights: a hotspot's cases, named to act on them
    **{
        (f"POST /insights/{{code}}/hotspots/{step}", "case_ids"): (
            RESOLVED,
            "insights.selectors.hotspot_cases_for: each case in the caller's scope, else 404",
            (
                "tests/insights/test_hotspots.py::"
                "test_acting_on_cases_outside_the_scope_or_without_the_role_writes_nothing",
            ),
        )
        for step in ("cases", "patrol-tasks")
    },
    **{
        (f"POST /insights/{{code}}/hotspots/{step}", "category_id"): (
            FILTER,
            "narrows the named cases to one service type (a case of another type: 404)",
            (),
        )
        for step in ("cases", "patrol-tasks")
    },
    # areas and accounts
    ("GET /areas/route", "within"): (FILTER, "narrows the routing; names shown only within scope", ()),
    ("POST /area-data/areas", "code"): (
        RESOLVED,
        "areas.services.tree: the parent managed by the caller",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("POST /area-data/areas/{code}/merge", "into"): (
        RESOLVED,
        "areas.selectors_io.managed_area_get_for",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("POST /area-data/grids", "village_code"): (
        RESOLVED,
        "areas.selectors_io.managed_area_get_for",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("POST /area-data/grids", "village_groups"): (
        RESOLVED,
        "numbers of the grid's own village",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("PATCH /area-data/grids/{code}", "village_groups"): (
        RESOLVED,
        "numbers of the grid's own village",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("POST /area-data/village-groups", "village_code"): (
        RESOLVED,
        "areas.selectors_io.managed_area_get_for",
        (f"{AREAS}::test_every_area_a_body_names_lies_in_the_administrators_scope",),
    ),
    ("POST /accounts/token", "username"): (NOT_A_REFERENCE, "the caller's own login (authentication)", ()),
}

# Page forms (the Django admin's forms are the admin's own: docs/security.md, "Admin scope").
FORM_INPUTS: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {
    ("grassroots.accounts.forms.LoginForm", "username"): (NOT_A_REFERENCE, "one's own login", ()),
    ("grassroots.insights.views.HotspotActForm", "category"): (
        FILTER,
        "narrows the named cases (insights.selectors.hotspot_cases_for, scoped) to one service type",
        (),
    ),
    ("grassroots.cases.forms.ActionForm", "target"): (
        RESOLVED,
        "services.case_dispatch → selectors.resolve_target",
        (f"{CASES}::test_page_dispatch_to_anyone_not_offered_is_refused_and_says_why",),
    ),
    ("grassroots.cases.forms.ActionForm", "master"): (
        RESOLVED,
        "selectors.merge_master_for",
        (f"{CASES}::test_page_merge_into_a_foreign_case_is_refused",),
    ),
    ("grassroots.cases.forms.EnterForm", "category"): (NOT_A_REFERENCE, "public reference data", ()),
    ("grassroots.cases.forms.EnterForm", "area_code"): (
        RESOLVED,
        "services.case_enter: in_scope(INTAKE_ROLES)",
        ("tests/cases/test_intake.py::test_staff_may_not_enter_cases_outside_their_area",),
    ),
    ("grassroots.cases.forms.OnTheSpotForm", "category"): (NOT_A_REFERENCE, "public reference data", ()),
    ("grassroots.cases.forms.QueueFilterForm", "category"): (FILTER, "narrows the scoped queue", ()),
    ("grassroots.cases.forms.RateForm", "comment"): (NOT_A_REFERENCE, "text", ()),
    ("grassroots.cases.forms.ReportForm", "category"): (NOT_A_REFERENCE, "public reference data", ()),
    ("grassroots.deliberation.forms.AppointForm", "username"): (
        RESOLVED,
        "selectors.member_login_for",
        (f"{DELIBERATION}::test_page_seats_a_login_of_the_village_and_refuses_any_other",),
    ),
    ("grassroots.deliberation.forms.CommitteeForm", "area_code"): (
        RESOLVED,
        "services.committee_create → _require_manager",
        (f"{DELIBERATION}::test_a_committee_is_founded_on_a_village_and_group_of_ones_own_only",),
    ),
    ("grassroots.deliberation.forms.CommitteeForm", "village_group"): (
        RESOLVED,
        "a number of the committee's own village",
        (f"{DELIBERATION}::test_a_committee_is_founded_on_a_village_and_group_of_ones_own_only",),
    ),
    ("grassroots.deliberation.forms.CorrectOpinionForm", "opinion"): (
        RESOLVED,
        "selectors.opinion_of_topic: an opinion of the topic, and workflow: one's own",
        (
            "tests/deliberation/test_api.py::test_correcting_an_opinion_through_the_api_keeps_both",
            f"{DELIBERATION}::test_a_correction_names_an_opinion_of_its_own_topic_only",
        ),
    ),
    ("grassroots.deliberation.forms.DraftForm", "meeting"): (
        RESOLVED,
        "selectors.meeting_of_topic",
        (f"{DELIBERATION}::test_page_resolution_names_a_meeting_of_its_committee_only",),
    ),
    ("grassroots.deliberation.forms.HideCommentForm", "comment"): (
        RESOLVED,
        "selectors.comment_of_topic: a comment of the topic (else 404)",
        (f"{DELIBERATION}::test_page_hides_a_comment_of_the_topic_it_is_on_only",),
    ),
    ("grassroots.deliberation.forms.LinkCaseForm", "case_id"): (
        RESOLVED,
        "services.topic_link_case",
        (f"{DELIBERATION}::test_a_topic_links_a_case_its_linker_can_see_and_no_other",),
    ),
    ("grassroots.deliberation.forms.LinkNoticeForm", "notice_id"): (
        NOT_A_REFERENCE,
        "a public notice's number, shown as written with its title",
        (),
    ),
    ("grassroots.deliberation.forms.MeetingForm", "topics"): (RESOLVED, "services._agenda_topics", (AGENDA,)),
    ("grassroots.deliberation.forms.MeetingRecordForm", "present"): (
        RESOLVED,
        "choices: the meeting's attendance; services.meeting_record",
        (AGENDA,),
    ),
    ("grassroots.deliberation.forms.OfflineMeetingForm", "topics"): (
        RESOLVED,
        "services._agenda_topics",
        (AGENDA,),
    ),
    ("grassroots.deliberation.forms.OfflineMeetingForm", "present"): (
        RESOLVED,
        "choices: the committee's members; services.meeting_record",
        (AGENDA,),
    ),
    ("grassroots.deliberation.forms.RatingForm", "comment"): (NOT_A_REFERENCE, "text", ()),
    ("grassroots.deliberation.forms.TallyForm", "present"): (NOT_A_REFERENCE, "a head count", ()),
    ("grassroots.disclosure.forms.BoardForm", "village_code"): (
        RESOLVED,
        "views: rules.can_manage_board",
        (f"{DISCLOSURE}::test_a_board_is_set_up_on_a_village_and_group_of_ones_own_only",),
    ),
    ("grassroots.disclosure.forms.BoardForm", "village_group"): (
        RESOLVED,
        "a number of the board's own village",
        (f"{DISCLOSURE}::test_a_board_is_set_up_on_a_village_and_group_of_ones_own_only",),
    ),
    ("grassroots.disclosure.forms.NoticeForm", "catalogue_item"): (
        RESOLVED,
        "selectors.catalogue_item_of",
        (f"{DISCLOSURE}::test_page_files_a_notice_under_its_boards_item_only",),
    ),
    ("grassroots.integrations.forms.Open311Body", "jurisdiction_id"): (
        RESOLVED,
        "integrations.views.open311._jurisdiction: an area the key covers, else 404",
        (OPEN311_JURISDICTION,),
    ),
    ("grassroots.integrations.forms.Open311RequestBody", "jurisdiction_id"): (
        RESOLVED,
        "as Open311Body",
        (OPEN311_JURISDICTION, f"{OPEN311}::test_a_refused_post_writes_nothing"),
    ),
    ("grassroots.integrations.forms.Open311RequestBody", "address_id"): (
        RESOLVED,
        "cases.services.case_receive: in_scope of the key's account, 400 naming the area",
        (f"{OPEN311}::test_a_refused_post_writes_nothing",),
    ),
    ("grassroots.integrations.forms.Open311RequestBody", "service_code"): (
        NOT_A_REFERENCE,
        "a service type code: public reference data",
        (),
    ),
    ("grassroots.integrations.forms.Open311RequestBody", "account_id"): (
        NOT_A_REFERENCE,
        "the caller's own id in its system, kept as text",
        (),
    ),
    ("grassroots.integrations.forms.Open311UpdateBody", "jurisdiction_id"): (
        RESOLVED,
        "as Open311Body",
        (OPEN311_JURISDICTION,),
    ),
    ("grassroots.integrations.forms.Open311UpdateBody", "service_request_id"): (
        RESOLVED,
        "integrations.selectors.open311_request_get: the cases the key sees, else 404",
        (f"{OPEN311}::test_refused_updates",),
    ),
    ("grassroots.people.forms.ImportForm", "area_code"): (RESOLVED, "require(can_transfer)", PEOPLE_PROOF),
    ("grassroots.people.forms.MoveHouseholdForm", "to_grid_code"): (
        RESOLVED,
        "services.household_move",
        (
            "tests/people/test_registry.py::test_a_grid_worker_cannot_move_a_household_into_a_grid_outside_their_scope",
        ),
    ),
    ("grassroots.people.forms.PlaceForm", "area_code"): (
        RESOLVED,
        "services.place_create: require",
        PEOPLE_PROOF,
    ),
    ("grassroots.people.forms.ResidentForm", "id_number"): (
        NOT_A_REFERENCE,
        "the person's own ID number",
        (),
    ),
    ("grassroots.workforce.forms.PatrolStartForm", "grid_code"): (
        RESOLVED,
        "services.patrols.patrol_start",
        (f"{WORKFORCE}::test_a_patrol_is_counted_in_a_grid_the_worker_serves_today_only",),
    ),
}


def _api_inputs() -> set[tuple[str, str]]:
    found = set()
    for url, operation in _operations():
        label = f"{operation.methods[0]} {url.removeprefix('/api/v1')}"
        for model in operation.models:
            source = model.__ninja_param_source__
            if source == "path":
                continue
            for name, field in model.model_fields.items():
                for leaf in _leaves(field.annotation, (field.alias or name,)):
                    if (source in ("query", "form") and len(leaf) > 1) or (
                        source == "body" and getattr(model, "__read_from_single_attr__", None)
                    ):
                        leaf = leaf[1:]
                    if leaf and REFERENCE_NAME.search(leaf[-1]):
                        found.add((label, ".".join(leaf)))
    return found


def _leaves(annotation, path):
    import typing

    import pydantic

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _leaves(field.annotation, (*path, field.alias or name))
    elif origin is typing.Annotated or origin in (list, tuple, set):
        yield from _leaves(args[0], path)
    elif args and origin is not dict and not isinstance(annotation, type):
        seen = set()
        for arg in args:
            for p in _leaves(arg, path):
                if p not in seen:
                    seen.add(p)
                    yield p
    else:
        yield path


def _form_inputs() -> set[tuple[str, str]]:
    from tests.test_text_input import _bound

    found = set()
    for form_class in project_forms():
        name = f"{form_class.__module__}.{form_class.__qualname__}"
        if form_class.__module__.endswith(".admin"):
            continue
        for field in _bound(form_class, None).fields:
            if REFERENCE_NAME.search(field):
                found.add((name, field))
    return found


@pytest.mark.django_db
def test_every_api_input_naming_another_object_is_listed_with_its_lookup():
    found = _api_inputs()
    assert len(found) > 50
    unlisted = sorted(found - set(API_INPUTS))
    stale = sorted(set(API_INPUTS) - found)
    assert not unlisted, "API inputs that name another object, with no lookup listed here:\n" + "\n".join(
        map(str, unlisted)
    )
    assert not stale, "listed here but no longer in the API:\n" + "\n".join(map(str, stale))


@pytest.mark.django_db
def test_every_page_form_input_naming_another_object_is_listed_with_its_lookup():
    found = _form_inputs()
    unlisted = sorted(found - set(FORM_INPUTS))
    stale = sorted(set(FORM_INPUTS) - found)
    assert not unlisted, "form fields that name another object, with no lookup listed here:\n" + "\n".join(
        map(str, unlisted)
    )
    assert not stale, "listed here but no longer in a form:\n" + "\n".join(map(str, stale))


@pytest.mark.parametrize("table", [API_INPUTS, FORM_INPUTS], ids=["api", "pages"])
def test_every_resolved_input_has_a_proof_that_exists(table):
    missing = []
    for key, (kind, where, proofs) in table.items():
        assert kind in (RESOLVED, FILTER, NOT_A_REFERENCE) and where, key
        for proof in proofs:
            path, _sep, function = proof.partition("::")
            module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
            if not callable(getattr(module, function, None)):
                missing.append(f"{key}: {proof}")
    assert not missing, "\n".join(missing)
    unproven = [key for key, (kind, _where, proofs) in table.items() if kind == RESOLVED and not proofs]
    assert not unproven, unproven
