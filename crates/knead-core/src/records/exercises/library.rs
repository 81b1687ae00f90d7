//! The home-care exercises for sciatica, in our own words, from the doses and stop rules of the clinical
//! reference (section 5). Where the reference gives a range, the default is its gentler end; where it
//! gives no frequency, once a day.

use super::{Exclusion, Exercise};
use crate::intake::Category;

/// Every exercise: nothing while a precaution stops massage altogether.
const BLOCKED: Exclusion = Exclusion::Category(Category::Block);

/// The nerve glide: not with a nerve that is losing strength or any sign of cauda equina syndrome.
const NERVE_SIGNS: &[Exclusion] = &[
    BLOCKED,
    Exclusion::Field("progressive_weakness"),
    Exclusion::Field("saddle_numbness"),
    Exclusion::Field("bladder_change"),
    Exclusion::Field("bowel_change"),
    Exclusion::Field("sexual_change"),
    Exclusion::Field("bilateral_leg_symptoms"),
];

const PAIN_FREE: &str = "Stay within a range that does not hurt; stop if it does.";

pub(super) const LIBRARY: &[Exercise] = &[
    Exercise {
        key: "knee_to_chest",
        name: "Knee to chest",
        steps: &[
            "Lie on your back with both knees bent and feet flat.",
            "Bring one knee toward your chest, holding behind the thigh.",
            "Hold, breathing slowly, then lower the leg.",
            "Repeat on the other side.",
            "When one knee at a time is easy, bring both knees up together.",
        ],
        stop_rules: &["Stop if your pain gets worse."],
        sets: 1,
        reps: 3,
        hold_seconds: 20,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "piriformis_stretch",
        name: "Piriformis (figure-4) stretch",
        steps: &[
            "Lie on your back, or sit upright on a chair.",
            "Rest the ankle of one leg across the knee of the other, making a 4.",
            "Draw the lower thigh toward you, or lean forward from the hips if seated, until the buttock stretches.",
            "Hold, then switch sides.",
        ],
        stop_rules: &["Stop if you feel pinching, or pain shooting down the leg."],
        sets: 1,
        reps: 3,
        hold_seconds: 30,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "nerve_glide",
        name: "Sciatic nerve glide (slider)",
        steps: &[
            "Sit tall on the edge of a chair.",
            "Straighten the knee of the sore leg while you tip your head back to look up.",
            "Bend the knee again as you bring your chin down.",
            "Move slowly and smoothly, only as far as a light pull.",
        ],
        stop_rules: &[
            "Never push into sharp or shooting pain.",
            "Stop and tell your therapist if the leg feels weaker or more numb.",
        ],
        sets: 1,
        reps: 10,
        hold_seconds: 0,
        per_day: 1,
        days_per_week: 7,
        excluded_by: NERVE_SIGNS,
    },
    Exercise {
        key: "prone_extension",
        name: "Lying face down, on elbows, press-up",
        steps: &[
            "Lie face down and relax for a minute or two.",
            "If that is comfortable, rise onto your elbows and rest there.",
            "If that is comfortable too, place your hands under your shoulders and press your chest up, hips down.",
            "Lower yourself slowly and repeat.",
        ],
        stop_rules: &[
            "Carry on only if leg symptoms move up toward the back or ease.",
            "Stop if symptoms spread further down the leg.",
        ],
        sets: 1,
        reps: 10,
        hold_seconds: 0,
        per_day: 3,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "bird_dog",
        name: "Bird-dog",
        steps: &[
            "Kneel on all fours, hands under shoulders and knees under hips.",
            "Reach one arm forward and the opposite leg back until both are level with your body.",
            "Hold, then return and switch sides.",
            "Keep your back flat like a table throughout.",
        ],
        stop_rules: &["Keep your back in its neutral position; stop if you cannot.", PAIN_FREE],
        sets: 3,
        reps: 1,
        hold_seconds: 5,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "glute_bridge",
        name: "Glute bridge",
        steps: &[
            "Lie on your back with knees bent and feet flat, hip-width apart.",
            "Squeeze your buttocks and lift your hips until knees, hips and shoulders line up.",
            "Lower slowly.",
        ],
        stop_rules: &[PAIN_FREE],
        sets: 2,
        reps: 10,
        hold_seconds: 0,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "pelvic_tilt",
        name: "Pelvic tilt",
        steps: &[
            "Lie on your back with knees bent and feet flat.",
            "Tighten your stomach and press the small of your back gently into the floor.",
            "Relax and let the back return to its natural curve.",
        ],
        stop_rules: &[PAIN_FREE],
        sets: 2,
        reps: 10,
        hold_seconds: 0,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "cat_camel",
        name: "Cat-camel",
        steps: &[
            "Kneel on all fours.",
            "Round your back up slowly, letting your head drop.",
            "Then let your back sag gently as you lift your head.",
            "Move slowly between the two, without forcing either end.",
        ],
        stop_rules: &[PAIN_FREE],
        sets: 1,
        reps: 5,
        hold_seconds: 0,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "childs_pose",
        name: "Child's pose",
        steps: &[
            "Kneel, then sit back toward your heels.",
            "Reach your arms forward along the floor and rest your forehead down.",
            "Breathe slowly and hold.",
        ],
        stop_rules: &[PAIN_FREE],
        sets: 1,
        reps: 1,
        hold_seconds: 15,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
    Exercise {
        key: "walking",
        name: "Walking",
        steps: &[
            "Walk at a comfortable pace on level ground.",
            "Start with about 10 minutes and build toward 30 minutes a day as you can.",
            "Split it into shorter walks if that is easier.",
        ],
        stop_rules: &["Shorten the walk if leg pain builds; staying active helps, so try again the next day."],
        sets: 1,
        reps: 1,
        hold_seconds: 0,
        per_day: 1,
        days_per_week: 7,
        excluded_by: &[BLOCKED],
    },
];
