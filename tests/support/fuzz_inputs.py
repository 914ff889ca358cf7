"""What the fuzzers type: hostile characters and strings, numbers out of range, values that look
valid (Dutch dates and amounts, KvK numbers, e-mail addresses ...), and the Hypothesis settings
they share (tests/test_fuzz_forms.py posts them in forms, tests/test_fuzz_urls.py in URLs)."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from tests.support.app import PASSWORD

FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)

NASTY_CHARACTERS = [
    "\x00",  # NUL: PostgreSQL refuses it in text
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u200b",  # zero-width space
    "\ufeff",  # byte-order mark
    "\u0301",  # combining acute accent
    "\u0336",  # combining long stroke
    "😀",
    "👩🏽‍⚕️",
    "🇳🇱",
    "\U0001d54f",
    "ﷺ",
    "İ",
    "ß",
    "\r\n",
    "\x7f",
    "\x1b",
    "<",
    "&",
    "'",
    '"',
    "%",
    "\\",
]
NASTY_STRINGS = [
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    '\'; DROP TABLE "user"; --',
    "{{ 7*7 }}",
    "%(name)s %s %n",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "\u202egnp.exe",
    "e\u0301\u0301\u0301",
    "NaN",
    "None",
    "null",
    "true",
]
OUT_OF_RANGE = [
    "-1",
    "0",
    "-0",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999999999",
    "1e309",
    "-1e309",
    "1E+999999999",
    "inf",
    "-Infinity",
    "NaN",
    "0x1F",
    "1_000",
    "٣",  # an Arabic-Indic digit: int() accepts it
    "１２",  # full-width digits
    "9999-99-99",
    "31-02-2027",
    "00-00-0000",
    "0001-01-01",
    "9999-12-31",
    "-10,5",
    "1.234.567.890.123,45",
    "12,345.67",
    "4,94%",
    "1.2.3",
    ",",
    "NL123456789B01",  # a VAT number with a wrong check digit
    "NL00XXXX0",
    "6041 SS",  # a postcode that cannot exist
]


def dutch_amount(cents: int) -> str:
    """1234567 -> '12.345,67'."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d}"


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
dutch_dates = dates.map(lambda d: d.strftime("%d-%m-%Y"))
iso_dates = dates.map(date.isoformat)
amounts = st.integers(min_value=-(10**11), max_value=10**12).map(dutch_amount)
percentages = st.decimals(min_value=-50, max_value=150, places=2).map(
    lambda d: str(d).replace(".", ",")
)
kvk_numbers = st.integers(min_value=0, max_value=99_999_999).map("{:08d}".format)
email_addresses = st.one_of(
    st.builds(
        "{}@{}".format,
        st.text("abcxyz.+-_0123456789éü", min_size=1, max_size=12),
        st.sampled_from(["example.nl", "voorbeeld.nl", "ex-ample.co.uk", "xn--bcher-kva.nl", "nl"]),
    ),
    st.sampled_from(["nieuw@example.nl", "gebruiker1@example.nl", "NAAM@Example.NL ", "a@b"]),
)
years = st.integers(min_value=1990, max_value=2110).map(str)
periods = st.builds(
    lambda year, part: f"{year}{part}",
    st.integers(min_value=2024, max_value=2031),
    st.sampled_from(["", "-K1", "-K2", "-K3", "-K4", "-H1", "-H2", "-K5", "-Q1", "K1"]),
)
words = st.sampled_from(
    ["ja", "nee", "yes", "no", "pass", "fail", "admitted", "rejected", "live", "ended"]
    + ["suspended", "quarter", "year", "account", "development", "y", "1", "0", "on", "off"]
)
valid_looking = st.one_of(
    dutch_dates, iso_dates, amounts, percentages, kvk_numbers, email_addresses, years, periods, words,
    st.just(PASSWORD),
)  # fmt: skip
