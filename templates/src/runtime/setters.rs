// requires-uses: setter
//! The chained setters of parameter structs and request bodies, one rule for both: a setter
//! takes whatever converts into its field, so `.task_id("t")`, `.task_id(&id)` and
//! `.state(["failed"])` all work.

/// One setter for `field`, by the kind of its value:
/// - `text`: anything `Into<String>` (`&str`, `String`, `&String`);
/// - `value`: the value itself (numbers, booleans, ids);
/// - `date`: a `chrono::DateTime` in any time zone, kept in UTC;
/// - `into`: anything that converts into the named type (`"success"` for an enum);
/// - `list`: anything iterable whose items convert into the list's items;
/// - `boxed`: as `into`, for a field boxed to break a cycle of types.
///
/// The field is an `Option`, set to `Some`; after the type, `, null name_null` says it is a
/// `Maybe` that can also be sent as `null` (which `name_null()` does), and `, required` that
/// it is the value itself.
macro_rules! setter {
    (text $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] $field; value: impl ::core::convert::Into<String> => value.into());
    };
    (value $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] $field; value: $value => value);
    };
    (date $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] $field;
            value: chrono::DateTime<impl chrono::TimeZone> => value.with_timezone(&chrono::Utc)
        );
    };
    (into $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] $field; value: impl ::core::convert::Into<$value> => value.into());
    };
    (list $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] $field;
            value: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<$value>> =>
                value.into_iter().map(::core::convert::Into::into).collect()
        );
    };
    (boxed $field:ident: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] $field;
            value: impl ::core::convert::Into<$value> => ::std::boxed::Box::new(value.into())
        );
    };
    (@ [] $field:ident; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set $field; $arg: $type => Some($set));
    };
    (@ [required] $field:ident; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set $field; $arg: $type => $set);
    };
    (@ [null $null:ident] $field:ident; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set $field; $arg: $type => $crate::Maybe::Value($set));

        #[doc = concat!("Sends `", stringify!($field), "` as `null`.")]
        #[inline]
        pub fn $null(mut self) -> Self {
            self.$field = $crate::Maybe::Null;
            self
        }
    };
    (@ set $field:ident; $arg:ident: $type:ty => $set:expr) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        #[inline]
        pub fn $field(mut self, $arg: $type) -> Self {
            self.$field = $set;
            self
        }
    };
}

pub(crate) use setter;
