"""Behavioural parameters of the generator that no seed holds.

Benefit policy numbers come from ``seeds/policy`` (see ``policy.py``); what is here describes
how people behave (how often they see a doctor, when they pay) and the contribution
standards of the sample, so that a reader can see and change every assumption in one place.
"""

from __future__ import annotations

# Resident contribution standards (yuan per benefit year): individual part and fiscal subsidy.
RESIDENT_INDIVIDUAL = {2020: 280, 2021: 320, 2022: 350, 2023: 380, 2024: 400}
RESIDENT_SUBSIDY = {2020: 550, 2021: 580, 2022: 610, 2023: 640, 2024: 670}


def resident_individual(year: int) -> int:
    """Individual contribution of a resident for a benefit year, extrapolated outside 2020–24."""
    if year in RESIDENT_INDIVIDUAL:
        return RESIDENT_INDIVIDUAL[year]
    return 280 - 30 * (2020 - year) if year < 2020 else 400 + 20 * (year - 2024)


def resident_subsidy(year: int) -> int:
    """Fiscal subsidy per resident for a benefit year, extrapolated outside 2020–24."""
    if year in RESIDENT_SUBSIDY:
        return RESIDENT_SUBSIDY[year]
    return 550 - 30 * (2020 - year) if year < 2020 else 670 + 30 * (year - 2024)


# Employee contribution rates on the wage base (ten-thousandths).
EMPLOYER_RATE = 800
EMPLOYEE_RATE = 200
FLEXIBLE_RATE = 1000  # flexible employment pays both parts itself
ACCOUNT_SHARE_OF_EMPLOYER = 2500  # part of the employer's contribution credited to the account
FLEXIBLE_ACCOUNT_SHARE = 3000
WAGE_GROWTH = 0.05

# Resident payment timing for a continuing enrollee (Qinghai 2022 windows, domain notes §3).
PAY_WINDOW_SHARES = {"window": 0.80, "jan_mar": 0.09, "apr_jun": 0.04, "from_jul": 0.03,
                     "skip": 0.04}
WAITING_DAYS = 60

# Critical-illness insurance (residents), medical assistance, civil-servant subsidy,
# employee large-amount subsidy: shares of the personal in-scope part (ten-thousandths).
CRITICAL_ILLNESS_THRESHOLD = 15_000_00  # cents of yearly personal in-scope spending
CRITICAL_ILLNESS_RATIO = 6000
MEDICAL_ASSISTANCE_RATIO = 7000
CIVIL_SERVANT_RATIO = 5000
LARGE_AMOUNT_RATIO = 9000
OTHER_FUND_RATIO = 5000
PRESELFPAY_DRUG = 1000  # 乙类 drugs: 10 % paid first by the patient
PRESELFPAY_CONSUMABLE = 2000  # 乙类 consumables: 20 %

# Visit frequency per person-year by age band (0-6, 7-17, 18-44, 45-59, 60-74, 75+).
AGE_BAND_EDGES = (7, 18, 45, 60, 75)
RATE_OUTPATIENT = (4.5, 2.0, 2.0, 3.2, 4.6, 5.5)
RATE_EMERGENCY = (0.35, 0.12, 0.10, 0.12, 0.20, 0.32)
RATE_INPATIENT = (0.15, 0.05, 0.09, 0.17, 0.33, 0.48)
RATE_PHARMACY_EMPLOYEE = (0.8, 0.8, 2.6, 3.4, 4.0, 4.0)
RATE_PHARMACY_RESIDENT = (0.4, 0.3, 0.7, 0.9, 1.0, 1.0)
CHRONIC_SHARE = (0.0, 0.0, 0.01, 0.08, 0.25, 0.35)  # persons with a chronic-disease certificate
RATE_CHRONIC = 8.0  # chronic outpatient visits per certified person-year
EMPLOYEE_OUTPATIENT_FACTOR = 1.25
OUT_OF_COVERAGE_FACTOR = 0.03  # settlements outside resident coverage: a handful

# Life events (per person-year).
HAZARD_JOB_LOSS = 0.015
HAZARD_NEW_JOB = 0.012
HAZARD_MOVE = 0.008
HAZARD_SUSPEND = 0.02
GREEN_CHANNEL_SHARE = 0.85  # job losers who join the resident scheme within 3 months
BIRTHS_PER_PERSON_YEAR = 0.006

# Inpatient care.
LONG_STAY_SHARE = 0.02
PTFP_SHARE = 0.30
PTFP_SHARE_SPECIAL = 0.70
REFERRAL_UP_SHARE = 0.40
REFERRAL_DOWN_SHARE = 0.15
UNINSURED_SHARE = 0.02
RETURN_SHARE = 0.03
REVERSAL_SHARE = 0.003
