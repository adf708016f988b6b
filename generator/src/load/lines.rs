//! The source line of a JSON pointer, as serde_yaml knows it: a walk down the pointer through
//! the document that fails at the node, an error serde_yaml marks with the node's position.
//! The pointer is what identifies a place; the line helps a human find it.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::unescape_token;

/// What the walk expects at the node, which no value is: its error names it.
const FOUND: &str = "the end of the pointer";

/// The line of `pointer` in `text` (1-based), or of its nearest ancestor that is there (a
/// pointer into the normalised document may name a place the source does not have).
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let tokens: Vec<String> = pointer.split('/').skip(1).map(unescape_token).collect();
    (0..=tokens.len()).rev().find_map(|len| {
        match Seek(&tokens[..len]).deserialize(serde_yaml::Deserializer::from_str(text)) {
            Err(e) if e.to_string().contains(FOUND) => e.location().map(|l| l.line()),
            _ => None,
        }
    })
}

/// The path still to walk.
struct Seek<'p>(&'p [String]);

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.0.split_first() {
            // Any value there fails to be what `Here` expects.
            None => deserializer.deserialize_any(Here),
            Some((next, rest)) => deserializer.deserialize_any(Walk { next, rest }),
        }
    }
}

struct Here;

impl Visitor<'_> for Here {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(FOUND)
    }
}

/// One step: the entry `next` of a mapping or sequence, then `rest`.
struct Walk<'p> {
    next: &'p str,
    rest: &'p [String],
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping or sequence on the pointer's path")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<serde_yaml::Value>()? {
            let key = match key {
                serde_yaml::Value::String(s) => s,
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            if key == self.next {
                return map.next_value_seed(Seek(self.rest));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Ok(wanted) = self.next.parse::<usize>() else {
            return Ok(());
        };
        for _ in 0..wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek(self.rest)).map(|_| ())
    }
}
