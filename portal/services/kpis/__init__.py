"""Contract management: KPIs and what is done with them. Rules: portal.domain.contract_management.

- `definitions`: what a DAS asks providers to report, and the management settings
- `reporting`: a provider's figures, typed or from a spreadsheet, and the export of them
- `dashboards`: a provider's series per KPI, and a DAS's overview for its contract managers
- `sroi`: social return, reported and owed
- `talks`: contract talks and their actions
- `reminders`: reminders to report (`flask kpi-reminders`)
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
from portal.services.kpis.reminders import kpi_reminders
from portal.services.kpis.reporting import (
    Figure,
    check_figure,
    current_value,
    parse_rows,
    report,
    values_of,
)
from portal.services.kpis.sroi import SroiRow, report_sroi, sroi_page, sroi_reports_of
from portal.services.kpis.talks import log_talk, talks_of

__all__ = [
    "CLIENTS",
    "DEFAULT_KPIS",
    "TURNOVER",
    "DasOverview",
    "Figure",
    "KpiSeries",
    "SroiRow",
    "check_figure",
    "corrections_page",
    "current_value",
    "das_overview",
    "definitions_of",
    "ensure_default_kpis",
    "kpi_reminders",
    "log_talk",
    "parse_rows",
    "provider_dashboard",
    "report",
    "report_sroi",
    "save_definition",
    "save_settings",
    "sroi_page",
    "sroi_reports_of",
    "talks_of",
    "values_of",
]
