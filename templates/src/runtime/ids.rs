// requires-uses: integer_id
//! Integers passed as arguments, each a type of its own: an operation that takes two (a try
//! number and a map index, say) then cannot be called with them swapped.

/// `pub struct Name(pub i64)`, the type of the required integer parameter `param`.
macro_rules! integer_id {
    ($name:ident, $param:literal) => {
        #[doc = concat!(
            "The `", $param, "` argument, `", stringify!($name), "(1)`: an integer of its own ",
            "type, so it cannot be passed where another integer is meant."
        )]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.0
            }
        }
    };
}

pub(crate) use integer_id;
