"""The audiences' blueprints, each with all its pages.

An audience's blueprint is its package's `bp` (with the package's role check). The package's view
modules put their pages on it when they are imported, and they are imported here: a package that
imported its own view modules would be circular, since they import the package for `bp`.
"""

from __future__ import annotations

from types import ModuleType

from flask import Blueprint

from portal import admin, api, auth, catalogue, contracts, public, review, supplier
from portal.admin import criteria_views as admin_criteria_views
from portal.admin import das_views as admin_das_views
from portal.admin import jobs_views as admin_jobs_views
from portal.admin import staff_views as admin_staff_views
from portal.admin import terms_views as admin_terms_views
from portal.admin import views as admin_views
from portal.api import problems as api_problems
from portal.api import views as api_views
from portal.auth import account_views as auth_account_views
from portal.auth import staff_invitation_views as auth_staff_invitation_views
from portal.auth import views as auth_views
from portal.catalogue import views as catalogue_views
from portal.contracts import kpi_views as contract_kpi_views
from portal.contracts import late_views as contract_late_views
from portal.contracts import lump_sum_views as contract_lump_sum_views
from portal.contracts import message_views as contract_message_views
from portal.contracts import sroi_views as contract_sroi_views
from portal.contracts import talk_views as contract_talk_views
from portal.contracts import task_views as contract_task_views
from portal.contracts import views as contract_views
from portal.contracts import waiting_views as contract_waiting_views
from portal.public import question_views as public_question_views
from portal.public import verify_views as public_verify_views
from portal.public import views as public_views
from portal.public import waiting_views as public_waiting_views
from portal.review import evidence_views as review_evidence_views
from portal.review import message_views as review_message_views
from portal.review import question_views as review_question_views
from portal.review import queue_views as review_queue_views
from portal.review import report_views as review_report_views
from portal.review import task_views as review_task_views
from portal.review import views as review_views
from portal.supplier import account_views as supplier_account_views
from portal.supplier import api_token_views as supplier_api_token_views
from portal.supplier import application_views as supplier_application_views
from portal.supplier import espd_views as supplier_espd_views
from portal.supplier import kpi_views as supplier_kpi_views
from portal.supplier import lump_sum_views as supplier_lump_sum_views
from portal.supplier import message_views as supplier_message_views
from portal.supplier import privacy_views as supplier_privacy_views
from portal.supplier import question_views as supplier_question_views
from portal.supplier import submit_views as supplier_submit_views
from portal.supplier import views as supplier_views
from portal.supplier import waiting_views as supplier_waiting_views

BLUEPRINTS: tuple[Blueprint, ...] = (
    public.bp,
    auth.bp,
    supplier.bp,
    review.bp,
    contracts.bp,
    admin.bp,
    catalogue.bp,
    api.bp,  # the JSON API for providers' software (issue 23)
)

VIEW_MODULES: tuple[ModuleType, ...] = (
    public_views,
    public_verify_views,
    public_question_views,
    public_waiting_views,
    auth_views,
    auth_account_views,
    auth_staff_invitation_views,
    supplier_views,
    supplier_application_views,
    supplier_espd_views,
    supplier_submit_views,
    supplier_account_views,
    supplier_api_token_views,
    supplier_kpi_views,
    supplier_lump_sum_views,
    supplier_message_views,
    supplier_privacy_views,
    supplier_question_views,
    supplier_waiting_views,
    review_evidence_views,
    review_message_views,
    review_queue_views,
    review_question_views,
    review_report_views,
    review_task_views,
    review_views,
    contract_views,
    contract_kpi_views,
    contract_late_views,
    contract_lump_sum_views,
    contract_sroi_views,
    contract_talk_views,
    contract_task_views,
    contract_message_views,
    contract_waiting_views,
    admin_views,
    admin_criteria_views,
    admin_das_views,
    admin_terms_views,
    admin_staff_views,
    admin_jobs_views,
    catalogue_views,
    api_problems,
    api_views,
)
