//! Check ids: interned snake_case names any spec gives its checks.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A check's id: any snake_case name the exercise spec gives it (the report's `check` field).
///
/// Which checks an exercise runs, and under which ids, is data; the engine knows only the
/// [`Metric`](crate::report::Metric) each check judges. Ids are few and live as long as the
/// program, so they are interned: the type is `Copy` and compares by text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckId(&'static str);

impl CheckId {
    /// An id known at compile time (tools that simulate or score one exercise name its checks).
    pub const fn from_static(id: &'static str) -> CheckId {
        CheckId(id)
    }

    /// The id with this text (interned: each distinct text is stored once per process).
    pub fn new(id: &str) -> CheckId {
        static INTERNED: std::sync::Mutex<BTreeSet<&'static str>> = std::sync::Mutex::new(BTreeSet::new());
        let mut set = INTERNED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(known) = set.get(id) {
            return CheckId(known);
        }
        let stored: &'static str = Box::leak(id.to_owned().into_boxed_str());
        set.insert(stored);
        CheckId(stored)
    }

    /// The id's text, as in reports and the spec file.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Debug for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CheckId, D::Error> {
        let text = String::deserialize(d)?;
        Ok(CheckId::new(&text))
    }
}
