"""Contract management: KPIs and what is done with them. Rules: portal.domain.contract_management.

- `definitions`: what a DAS asks providers to report, and the management settings
- `reporting`: a provider's figures, typed or from a spreadsheet, and the export of them
- `dashboards`: a provider's series per KPI, and a DAS's overview for its contract managers
- `sroi`: social return, reported and owed
- `sroi_turnover`: the reference turnover the contract managers enter or import, and the
  obligation per year that follows
- `talks`: the providers selected for talks, talks planned and held, and their actions
- `reminders`: reminders to report (`flask kpi-reminders`), recorded per report
- `late_reports`: the late KPI and SROI reports of a DAS, and a reminder sent by hand
- `market`: the market per year: providers billing 1% or less, the HHI and their movement
- `region`: a DAS's region-specific KPIs over the years, against their targets
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
from portal.services.kpis.market import market_history
from portal.services.kpis.region import RegionSeries, region_series
from portal.services.kpis.reminders import kpi_reminders
from portal.services.kpis.reporting import (
    Figure,
    YearCell,
    YearRow,
    check_figure,
    current_value,
    parse_rows,
    report,
    report_years,
    values_of,
    year_sheet,
)
from portal.services.kpis.sroi import (
    SroiRow,
    SroiRules,
    report_sroi,
    sroi_page,
    sroi_reports_of,
    sroi_rules_of,
)
from portal.services.kpis.sroi_turnover import (
    EXAMPLE_ROWS,
    TurnoverImport,
    YearObligation,
    import_turnover,
    save_turnover,
    turnover_years,
    yearly_obligations,
)
from portal.services.kpis.talks import (
    SelectedProvider,
    TalkCandidate,
    TalkSummary,
    TalkYear,
    complete_action,
    enter_report,
    log_group_talk,
    log_talk,
    providers_for_talks,
    record_outcome,
    select_for_talks,
    selected_providers,
    selection_of,
    set_selection,
    talk_candidates,
    talk_history,
    talk_of_das,
    talk_summaries,
    talks_in_year,
    talks_of,
    unselect_for_talks,
)

__all__ = [
    "EXAMPLE_ROWS",
    "TurnoverImport",
    "YearObligation",
    "import_turnover",
    "save_turnover",
    "turnover_years",
    "yearly_obligations",
    "CLIENTS",
    "DEFAULT_KPIS",
    "TURNOVER",
    "DasOverview",
    "Figure",
    "KpiSeries",
    "LateReport",
    "RegionSeries",
    "SelectedProvider",
    "SroiRow",
    "SroiRules",
    "TalkCandidate",
    "TalkSummary",
    "YearCell",
    "YearRow",
    "TalkYear",
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
    "market_history",
    "log_group_talk",
    "log_talk",
    "parse_rows",
    "provider_dashboard",
    "providers_for_talks",
    "record_outcome",
    "report",
    "report_years",
    "region_series",
    "remind_now",
    "report_sroi",
    "save_definition",
    "save_settings",
    "select_for_talks",
    "selected_providers",
    "selection_of",
    "set_selection",
    "sroi_page",
    "sroi_reports_of",
    "sroi_rules_of",
    "talk_candidates",
    "talk_history",
    "talk_of_das",
    "talk_summaries",
    "talks_in_year",
    "talks_of",
    "unselect_for_talks",
    "values_of",
    "year_sheet",
]
