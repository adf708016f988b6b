// Written by hand in the generator's templates/src/runtime/setters.rs, and copied here when the client is generated. Change it there, not here.

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
/// it is the value itself. `field as set_field` names a setter whose field has a method's name.
macro_rules! setter {
    (text $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] [$field $($name)? $field]; value: impl ::core::convert::Into<String> => value.into());
    };
    (value $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] [$field $($name)? $field]; value: $value => value);
    };
    (date $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] [$field $($name)? $field];
            value: chrono::DateTime<impl chrono::TimeZone> => value.with_timezone(&chrono::Utc)
        );
    };
    (into $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(@ [$($($mode)+)?] [$field $($name)? $field]; value: impl ::core::convert::Into<$value> => value.into());
    };
    (list $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] [$field $($name)? $field];
            value: impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<$value>> =>
                value.into_iter().map(::core::convert::Into::into).collect()
        );
    };
    (boxed $field:ident $(as $name:ident)?: $value:ty $(, $($mode:tt)+)?) => {
        $crate::runtime::setters::setter!(
            @ [$($($mode)+)?] [$field $($name)? $field];
            value: impl ::core::convert::Into<$value> => ::std::boxed::Box::new(value.into())
        );
    };
    (@ [] $names:tt; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set $names; $arg: $type => Some($set));
    };
    (@ [required] $names:tt; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set $names; $arg: $type => $set);
    };
    (@ [null $null:ident] [$field:ident $($names:ident)+]; $arg:ident: $type:ty => $set:expr) => {
        $crate::runtime::setters::setter!(@ set [$field $($names)+]; $arg: $type => $crate::Maybe::Value($set));

        #[doc = concat!("Sends `", stringify!($field), "` as `null`.")]
        #[inline]
        pub fn $null(mut self) -> Self {
            self.$field = $crate::Maybe::Null;
            self
        }
    };
    // `[field field]`, or `[field name field]` when `as` gave the name.
    (@ set [$field:ident $name:ident $($field_again:ident)?]; $arg:ident: $type:ty => $set:expr) => {
        #[doc = concat!("Sets `", stringify!($field), "`.")]
        #[inline]
        pub fn $name(mut self, $arg: $type) -> Self {
            self.$field = $set;
            self
        }
    };
}

pub(crate) use setter;
