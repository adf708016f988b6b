// requires-uses: setter
//! The chained setters of parameter structs and request bodies, one rule for both: a setter
//! takes whatever converts into its field, so `.task_id("t")`, `.task_id(&id)` and
//! `.state(["failed"])` all work.

/// One setter for `field`, by the kind of its value:
/// - `text`: anything `Into<String>` (`&str`, `String`, `&String`);
/// - `value`: the value itself (numbers, booleans, dates, ids);
/// - `into`: anything that converts into the named type (`"success"` for an enum);
/// - `list`: anything iterable whose items convert into the list's items;
/// - `items`: anything iterable of the list's items (a union's items, whose arms convert);
/// - `maybe`: a value, `None` or `Maybe::Null` (sent as `null`), for a field that can be left
///   out or cleared;
/// - `boxed`: as `into`, for a field boxed to break a cycle of types;
/// - `field`: anything that converts into a required field's type.
macro_rules! setter {
    (text $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(@ $field, value: impl Into<String>, Some(value.into()));
    };
    (value $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(@ $field, value: $value, Some(value));
    };
    (into $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(@ $field, value: impl Into<$value>, Some(value.into()));
    };
    (list $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(
            @ $field,
            value: impl IntoIterator<Item = impl Into<$value>>,
            Some(value.into_iter().map(Into::into).collect())
        );
    };
    (items $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(
            @ $field,
            value: impl IntoIterator<Item = $value>,
            Some(value.into_iter().collect())
        );
    };
    (maybe $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(
            @ $field,
            value: impl Into<$crate::Maybe<$value>>,
            value.into()
        );
    };
    (boxed $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(
            @ $field,
            value: impl Into<$value>,
            Some(Box::new(value.into()))
        );
    };
    (field $field:ident: $value:ty) => {
        $crate::runtime::setters::setter!(@ $field, value: impl Into<$value>, value.into());
    };
    (@ $field:ident, $arg:ident: $type:ty, $set:expr) => {
        #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
        pub fn $field(mut self, $arg: $type) -> Self {
            self.$field = $set;
            self
        }
    };
}

pub(crate) use setter;

#[cfg(test)]
mod tests {
    use crate::Maybe;

    #[derive(Debug, Default, PartialEq)]
    struct Body {
        note: Option<String>,
        limit: Option<i64>,
        ids: Option<Vec<String>>,
        owner: Maybe<String>,
    }

    impl Body {
        setter!(text note: String);
        setter!(value limit: i64);
        setter!(list ids: String);
        setter!(maybe owner: String);
    }

    #[test]
    fn setters_take_what_converts() {
        let id = String::from("b");
        let body = Body::default()
            .note(&id)
            .limit(5)
            .ids(["a", id.as_str()])
            .owner(Maybe::Null);
        assert_eq!(
            body,
            Body {
                note: Some("b".into()),
                limit: Some(5),
                ids: Some(vec!["a".into(), "b".into()]),
                owner: Maybe::Null,
            }
        );
    }
}
