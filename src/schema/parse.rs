//! Parsing one JSON record into its fields without losing what serde_json
//! would hide: duplicate keys, the JSON type of each value, and borrowed
//! strings (no allocation unless a string has escapes).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{field_index, FIELD_COUNT};

/// A field value as written in JSON (or as a CSV cell, always `Str`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    /// A non-negative integer JSON number.
    UInt(u64),
    /// A negative integer JSON number.
    Int(i64),
    /// A JSON number with a fraction or exponent, or too big for 64 bits.
    Float(f64),
    Bool(bool),
    Null,
    Object,
    Array,
}

impl Value<'_> {
    /// The JSON type, for messages (`a number`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::UInt(_) | Value::Int(_) | Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Object => "an object",
            Value::Array => "an array",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The keys of one object, sorted into the contract's fields and the rest.
#[derive(Debug, Default)]
pub struct Parsed<'a> {
    /// The contract's fields by index (see [`super::FIELDS`]); first value wins.
    pub known: [Option<Value<'a>>; FIELD_COUNT],
    /// `org_id`, the older spelling of `organisation_id`.
    pub org_id: Option<Value<'a>>,
    /// Keys outside the contract, in input order.
    pub extras: Vec<(Cow<'a, str>, Value<'a>)>,
    /// Keys that appeared more than once (each named once).
    pub duplicates: Vec<Cow<'a, str>>,
}

impl<'a> Parsed<'a> {
    fn insert(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        let slot = match field_index(&key) {
            Some(i) => &mut self.known[i],
            None if key == "org_id" => &mut self.org_id,
            None => {
                if self.extras.iter().any(|(k, _)| *k == key) {
                    self.note_duplicate(key);
                } else {
                    self.extras.push((key, value));
                }
                return;
            }
        };
        if slot.is_some() {
            self.note_duplicate(key);
        } else {
            *slot = Some(value);
        }
    }

    fn note_duplicate(&mut self, key: Cow<'a, str>) {
        if !self.duplicates.contains(&key) {
            self.duplicates.push(key);
        }
    }
}

/// A top-level JSON value: the object we want, or what came instead.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // built once per record and moved, never stored
pub enum TopLevel<'a> {
    Object(Parsed<'a>),
    /// Not an object; carries the JSON type found.
    Other(&'static str),
}

/// Parses one record's text. Errors are serde_json's, with its position.
pub fn parse_record(text: &str) -> Result<TopLevel<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let top = TopSeed.deserialize(&mut de)?;
    de.end()?;
    Ok(top)
}

struct TopSeed;

impl<'de> DeserializeSeed<'de> for TopSeed {
    type Value = TopLevel<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = TopLevel<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut parsed = Parsed::default();
        while let Some(Key(key)) = map.next_key()? {
            let value = map.next_value_seed(ValueSeed)?;
            parsed.insert(key, value);
        }
        Ok(TopLevel::Object(parsed))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other("an array"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("a string"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("a number"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("a boolean"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(TopLevel::Other("null"))
    }
}

/// A key, borrowed from the input when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor).map(Key)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

struct ValueSeed;

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Value::Str(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Value::UInt(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Object)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Value::Array)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(text: &str) -> Parsed<'_> {
        match parse_record(text).unwrap() {
            TopLevel::Object(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_are_kept_apart() {
        let p = object(r#"{"reference_id":"1","x":1,"reference_id":"2","x":2,"x":3}"#);
        assert_eq!(p.known[1], Some(Value::Str(Cow::Borrowed("1"))));
        assert_eq!(
            p.duplicates,
            vec![Cow::Borrowed("reference_id"), Cow::Borrowed("x")]
        );
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let p = object(r#"{"event_id":"a\"b","campaign_id":"c","n":[1,{"a":2}],"o":{}}"#);
        assert!(matches!(p.known[0], Some(Value::Str(Cow::Owned(ref s))) if s == "a\"b"));
        assert!(matches!(p.known[3], Some(Value::Str(Cow::Borrowed("c")))));
        assert_eq!(p.extras[0].1, Value::Array);
        assert_eq!(p.extras[1].1, Value::Object);
    }

    #[test]
    fn non_objects_and_syntax_errors() {
        assert!(matches!(
            parse_record("[1,2]"),
            Ok(TopLevel::Other("an array"))
        ));
        assert!(matches!(
            parse_record("\"x\""),
            Ok(TopLevel::Other("a string"))
        ));
        let err = parse_record(r#"{"a":"b"} x"#).unwrap_err();
        assert_eq!(err.to_string(), "trailing characters at line 1 column 11");
    }
}
