//! Care records' rules: scoring, the non-response policy, notes, plans, programs, referrals.
