"""Every door that accepts a write has a hostile test: the URLconf is compared with this list.

A view accepts a write when it answers POST, PUT, PATCH or DELETE: a class-based view with
such a method, a function view under ``require_http_methods`` (``require_POST``) naming one,
or a function view with no method decorator at all (it answers every method). A new URL
whose view does fails here until it is listed, with the test that attacks it, or is listed
among the views that change nothing whatever the method (and says so by its decorators
soon). The Django admin is a window onto the services (tests/reporting/test_admin_*.py).
"""

import ast
import inspect
from pathlib import Path

from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

SEC = "tests/security"
# URL name -> the hostile tests that attack it ("path::test name").
HOSTILE_TESTS = {
    "set_language": [
        "tests/accounts/test_login.py::test_language_switcher_turns_the_interface_to_english"
    ],
    "accounts:login": [
        f"{SEC}/test_lockout_protects_its_owner.py::test_a_spread_of_addresses_gets_no_more_than_a_few_guesses_an_hour",
        f"{SEC}/test_without_the_proxy.py::test_the_login_page_does_not_read_a_sixty_megabyte_body",
    ],
    "accounts:logout": ["tests/accounts/test_login.py::test_logout_is_a_post_and_ends_the_session"],
    "accounts:unlock-request": [
        f"{SEC}/test_lockout_protects_its_owner.py::test_no_link_goes_to_an_unconfirmed_address_and_the_answer_tells_nothing"
    ],
    "accounts:unlock": [
        f"{SEC}/test_lockout_protects_its_owner.py::test_an_unlock_link_expires",
        f"{SEC}/test_lockout_protects_its_owner.py::test_the_officer_unlocks_with_a_single_use_link_sent_to_the_confirmed_email",
    ],
    "accounts:two-factor": ["tests/accounts/test_two_factor.py::test_a_wrong_code_is_refused"],
    "accounts:two-factor-setup": [
        f"{SEC}/test_second_factor_enrolment.py::test_a_password_only_session_cannot_open_the_enrolment_page"
    ],
    "accounts:two-factor-qr": [
        f"{SEC}/test_second_factor_enrolment.py::test_a_password_only_session_cannot_fetch_the_enrolment_qr_code"
    ],
    "accounts:password-reset": [
        f"{SEC}/test_password_reset_without_tells.py::test_one_address_may_ask_only_a_few_times_an_hour",
        f"{SEC}/test_password_reset_without_tells.py::test_known_and_unknown_addresses_get_the_same_answer_from_the_same_work",
    ],
    "accounts:password-reset-confirm": [
        "tests/accounts/test_password_reset.py::test_the_link_sets_a_new_password_once"
    ],
    "accounts:password-change": [
        "tests/accounts/test_password_reset.py::test_the_password_change_page_needs_a_login"
    ],
    "reporting:report-edit": [
        f"{SEC}/test_access_and_forgery.py::test_a_forged_status_field_does_not_move_the_report",
        f"{SEC}/test_quotas_and_bodies.py::test_more_files_on_one_item_than_its_quota_are_refused_and_none_stored",
    ],
    "reporting:evidence-upload": [
        f"{SEC}/test_one_gate_per_rule.py::test_the_upload_endpoint_refuses_an_eleventh_file_on_one_item",
        f"{SEC}/test_one_gate_per_rule.py::test_the_upload_endpoint_keeps_the_bytes_per_report_quota",
    ],
    "reporting:extension-request": [
        f"{SEC}/test_extension_dates.py::test_a_request_far_past_the_close_of_the_period_is_refused",
        f"{SEC}/test_extension_dates.py::test_a_double_submitted_request_answers_with_a_message_not_a_500",
    ],
    "reporting:extension-decide": [
        f"{SEC}/test_extension_dates.py::test_a_grant_cannot_shorten_the_extension_the_region_has"
    ],
    "evaluation:review": [
        f"{SEC}/test_access_and_forgery.py::test_another_kanwils_evaluator_cannot_decide_on_a_report",
        f"{SEC}/test_access_and_forgery.py::test_a_forged_round_number_records_no_decision",
    ],
    "evaluation:reopen": [
        f"{SEC}/test_access_and_forgery.py::test_an_officer_cannot_reopen_or_review"
    ],
    "piagam:awards": ["tests/piagam/test_certificate_views.py::test_only_admins_may_issue"],
    "piagam:batch-retry": [
        "tests/piagam/test_certificate_views.py::test_evaluator_sees_the_batch_without_retry_or_revoke"
    ],
    "piagam:certificate-revoke": [
        "tests/piagam/test_certificate_views.py::test_certificate_download_and_revoke_permission_matrix"
    ],
    "piagam:verify": [
        f"{SEC}/test_quotas_and_bodies.py::test_the_public_check_of_a_qr_token_refuses_a_big_body_too"
    ],
    "piagam:lookup": [
        f"{SEC}/test_quotas_and_bodies.py::test_the_public_check_refuses_a_body_over_one_pdf_413_before_reading",
        f"{SEC}/test_escaping_and_throttles.py::test_file_checks_past_the_limit_answer_429",
    ],
    "notifications:open": [
        "tests/notifications/test_notice_views.py::test_nobody_opens_another_persons_notice"
    ],
    "notifications:mark-all-read": [
        f"{SEC}/test_malformed_input.py::test_a_nul_in_a_form_field_answers_400_on_every_page"
    ],
    "notifications:preferences": [
        "tests/notifications/test_notice_views.py::test_preferences_are_kept_but_a_return_cannot_be_switched_off"
    ],
    "notifications:calendar": [
        "tests/notifications/test_notice_views.py::test_only_officers_have_a_deadline_calendar"
    ],
    "accounts:contact-code": [
        "tests/accounts/test_contacts.py::test_the_contact_forms_take_posts_of_signed_in_people_only",
        "tests/accounts/test_contacts.py::test_a_new_code_ends_the_earlier_one_and_asking_again_at_once_is_throttled",
        "tests/accounts/test_contacts.py::test_an_email_of_another_account_is_refused",
    ],
    "accounts:contact-confirm": [
        "tests/accounts/test_contacts.py::test_five_wrong_codes_spend_the_code",
        "tests/accounts/test_contacts.py::test_a_code_expires_after_thirty_minutes",
    ],
    "accounts:board-resend": [
        "tests/accounts/test_board.py::test_resend_all_is_refused_to_an_evaluator_who_is_no_kanwil_admin",
        "tests/accounts/test_board.py::test_a_kanwil_admin_resends_only_its_own_kanwils_invitations",
    ],
    "accounts:officer-new": [
        "tests/accounts/test_kanwil_admin.py::test_a_kanwil_admin_cannot_invite_into_another_kanwils_region",
        "tests/accounts/test_kanwil_admin.py::test_bad_input_gives_a_plain_message_and_creates_nothing",
    ],
    "accounts:officer-resend": [
        "tests/accounts/test_kanwil_admin.py::test_a_kanwil_admin_reaches_its_own_officers_and_never_another_kanwils",
        "tests/accounts/test_kanwil_admin.py::test_resending_one_invitation_to_an_officer_with_a_password_is_refused",
    ],
    "accounts:officer-deactivate": [
        "tests/accounts/test_kanwil_admin.py::test_a_kanwil_admin_reaches_its_own_officers_and_never_another_kanwils",
        "tests/accounts/test_kanwil_admin.py::test_a_kanwil_admin_cannot_manage_an_evaluator_or_itself",
    ],
    "accounts:officer-reactivate": [
        "tests/accounts/test_kanwil_admin.py::test_managing_an_officer_opens_for_admins_only_among_the_cast",
        "tests/accounts/test_kanwil_admin.py::test_a_session_from_before_a_deactivation_stays_ended_after_the_reactivation",
    ],
    "accounts:officer-unlock": [
        "tests/accounts/test_kanwil_admin.py::test_managing_an_officer_opens_for_admins_only_among_the_cast",
        "tests/accounts/test_kanwil_admin.py::test_a_kanwil_admin_reaches_its_own_officers_and_never_another_kanwils",
    ],
    "accounts:invitation-accept": [
        "tests/accounts/test_invitation_views.py::test_a_revoked_link_cannot_set_a_password",
        "tests/accounts/test_invitation_views.py::test_a_forged_proof_confirms_nothing",
        "tests/accounts/test_invitation_views.py::test_a_weak_password_is_refused_and_nothing_changes",
    ],
    "accounts:import": [
        "tests/accounts/test_account_import_views.py::test_a_body_over_the_limit_is_answered_before_it_is_read",
        "tests/accounts/test_account_import.py::test_a_zip_bomb_named_xlsx_is_refused_before_openpyxl_opens_it",
        "tests/accounts/test_account_import.py::test_a_formula_cell_is_refused_and_nothing_written",
    ],
    "accounts:import-commit": [
        "tests/accounts/test_account_import_views.py::test_another_admins_import_page_is_not_found_for_others",
        "tests/accounts/test_account_import.py::test_committing_twice_imports_once",
    ],
    "accounts:invitation-resend": [
        "tests/accounts/test_account_import_views.py::test_others_cannot_resend_or_revoke"
    ],
    "accounts:invitation-revoke": [
        "tests/accounts/test_account_import_views.py::test_others_cannot_resend_or_revoke"
    ],
    "reporting:matrix-import": [
        "tests/reporting/test_matrix_views.py::test_a_hostile_file_gets_a_clear_refusal",
        "tests/reporting/test_matrix_import.py::test_a_zip_bomb_dressed_as_xlsx_is_refused_before_it_is_unpacked",
    ],
    "reporting:matrix-commit": [
        "tests/reporting/test_matrix_views.py::test_a_commit_without_this_sessions_preview_changes_nothing"
    ],
    "evaluation:publish": [
        "tests/public/test_publication.py::test_nobody_but_an_admin_publishes_or_withdraws",
        "tests/public/test_publication.py::test_results_with_an_unverified_report_are_not_published",
    ],
    "evaluation:withdraw": [
        "tests/public/test_publication.py::test_nobody_but_an_admin_publishes_or_withdraws",
        "tests/public/test_publication.py::test_a_withdrawal_needs_a_reason_and_keeps_the_row",
    ],
    "public:language": [
        "tests/public/test_publication.py::test_the_public_language_switch_sets_only_the_language_and_stays_on_the_site"
    ],
    "reporting:matrix-copy": [
        "tests/reporting/test_matrix_views.py::test_only_admins_may_copy_a_cycle",
        "tests/reporting/test_copy_cycle.py::test_a_cycle_that_has_actions_is_not_copied_over",
    ],
}

# Views with no method decorator that change nothing whatever the method (reviewed).
READS_ONLY = {
    "home",
    "readiness",
    "accounts:no-role",
    "accounts:health",
    "accounts:security",
    "reporting:officer-home",
    "reporting:report-detail",
    "reporting:report-version",
    "reporting:evidence-file",
    "reporting:extension-requests",
    "evaluation:queue",
    "evaluation:explain",
    "evaluation:rankings",
    "evaluation:rankings-export",
    "evaluation:overview",
    "piagam:batch",
    "piagam:batch-status",
    "piagam:certificate-pdf",
    "notifications:list",
    "notifications:calendar-feed",
}


def _patterns(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            yield from _patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, pattern.callback


def accepted_methods(view):
    """The methods a view answers, or None for "every method" (no decorator says)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    layer = view
    while layer is not None:
        try:
            names = inspect.getclosurevars(layer).nonlocals
        except TypeError:
            names = {}
        if "request_method_list" in names:
            return set(names["request_method_list"])
        layer = getattr(layer, "__wrapped__", None)
    return None


def write_endpoints():
    found = {}
    for name, view in _patterns(get_resolver().url_patterns):
        methods = accepted_methods(view)
        if methods is None or methods & WRITE_METHODS:
            found[name] = methods
    return found


def test_every_write_endpoint_has_a_hostile_test_listed():
    endpoints = write_endpoints()
    unlisted = sorted(set(endpoints) - set(HOSTILE_TESTS) - READS_ONLY)

    assert not unlisted, (
        f"New doors that accept writes without a hostile test listed in {__file__}: {unlisted}"
    )


def test_the_list_names_no_door_that_is_gone():
    endpoints = write_endpoints()

    assert not set(HOSTILE_TESTS) - set(endpoints)
    assert not READS_ONLY - set(endpoints)


def test_every_listed_hostile_test_exists():
    missing = []
    for references in HOSTILE_TESTS.values():
        for reference in references:
            path, name = reference.split("::")
            tree = ast.parse((ROOT / path).read_text())
            names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
            if name not in names:
                missing.append(reference)
    assert not missing
