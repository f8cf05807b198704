//! Tour steps and feed reads: the part of what the user did inside nudges that is not an
//! engagement event, and its stored form.
#[cfg(doc)]
use super::Effect;

/// What the user did inside nudges that is not an engagement event: where they are in each
/// tour and which feed items they have read. Persisted (see [`Effect::SaveProgress`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Current step (0-based) per tour campaign. A few entries at most: a `Vec` costs less
    /// wasm than another `BTreeMap` instantiation.
    pub tour_steps: Vec<(String, u32)>,
    /// Feed items the user has seen in the launcher.
    pub feed_seen: Vec<String>,
}

impl Progress {
    /// As stored: `{"tour_steps": [["id", 2]], "feed_seen": ["id"]}`. Through
    /// `serde_json::Value`, which the widget carries anyway, rather than derived serde code.
    pub fn to_json(&self) -> String {
        let steps = self
            .tour_steps
            .iter()
            .map(|(id, step)| serde_json::Value::Array(vec![id.as_str().into(), (*step).into()]))
            .collect::<Vec<serde_json::Value>>();
        let mut v = serde_json::Map::new();
        v.insert("tour_steps".into(), steps.into());
        v.insert("feed_seen".into(), self.feed_seen.clone().into());
        crate::json::stringify(&serde_json::Value::Object(v))
    }

    /// Read what [`Progress::to_json`] wrote; anything unreadable is skipped.
    pub fn from_json(text: &str) -> Progress {
        let v = crate::json::parse(text).unwrap_or_default();
        let tour_steps = v["tour_steps"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        let id = p[0].as_str()?.to_owned();
                        let step = u32::try_from(p[1].as_u64()?).ok()?;
                        Some((id, step))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let feed_seen = v["feed_seen"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Progress {
            tour_steps,
            feed_seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_through_its_stored_form() {
        let p = Progress {
            tour_steps: vec![("tour".into(), 2)],
            feed_seen: vec!["f1".into()],
        };
        assert_eq!(Progress::from_json(&p.to_json()), p);
        assert_eq!(Progress::from_json("not json"), Progress::default());
    }
}
