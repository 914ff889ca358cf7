"""Contract management: KPIs and what is done with them. Rules: portal.domain.contract_management.

- `definitions`: what a DAS asks providers to report, and the management settings
- `reporting`: a provider's figures, typed or from a spreadsheet, and the export of them
- `dashboards`: a provider's series per KPI, and a DAS's overview for its contract managers
- `sroi`: social return, reported and owed
- `talks`: the providers selected for talks, talks planned and held, and their actions
- `reminders`: reminders to report (`flask kpi-reminders`), recorded per report
- `late_reports`: the late KPI and SROI reports of a DAS, and a reminder sent by hand
- `figures`: the queries over reported figures the others share

The pages call them through this package (`kpis.report(...)`), which names what each offers.
"""

from portal.services.kpis.dashboards import (
    DasOverview,
    KpiSeries,
    corrections_page,
    das_overview,
    provider_dashboard,
)
from portal.services.kpis.definitions import (
    CLIENTS,
    DEFAULT_KPIS,
    TURNOVER,
    definitions_of,
    ensure_default_kpis,
    save_definition,
    save_settings,
)
from portal.services.kpis.late_reports import (
    LateReport,
    late_counts,
    late_reports,
    late_reports_page,
    remind_now,
)
from portal.services.kpis.reminders import kpi_reminders
from portal.services.kpis.reporting import (
    Figure,
    check_figure,
    current_value,
    parse_rows,
    report,
    values_of,
)
from portal.services.kpis.sroi import (
    SroiRow,
    SroiRules,
    report_sroi,
    sroi_page,
    sroi_reports_of,
    sroi_rules_of,
)
from portal.services.kpis.talks import (
    SelectedProvider,
    TalkSummary,
    complete_action,
    enter_report,
    log_talk,
    select_for_talks,
    selected_providers,
    selection_of,
    talk_summaries,
    talks_of,
    unselect_for_talks,
)

__all__ = [
    "CLIENTS",
    "DEFAULT_KPIS",
    "TURNOVER",
    "DasOverview",
    "Figure",
    "KpiSeries",
    "LateReport",
    "SelectedProvider",
    "SroiRow",
    "SroiRules",
    "TalkSummary",
    "check_figure",
    "complete_action",
    "corrections_page",
    "current_value",
    "das_overview",
    "definitions_of",
    "ensure_default_kpis",
    "enter_report",
    "kpi_reminders",
    "late_counts",
    "late_reports",
    "late_reports_page",
    "log_talk",
    "parse_rows",
    "provider_dashboard",
    "report",
    "remind_now",
    "report_sroi",
    "save_definition",
    "save_settings",
    "select_for_talks",
    "selected_providers",
    "selection_of",
    "sroi_page",
    "sroi_reports_of",
    "sroi_rules_of",
    "talk_summaries",
    "talks_of",
    "unselect_for_talks",
    "values_of",
]
