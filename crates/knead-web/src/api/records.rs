//! The care-records API: episodes, plans, notes, measures, programs, referrals and instruments.
