//! One line of the report, and the section it is listed in.

/// The part of the report a change is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Operations,
    Parameters,
    Fields,
    EnumValues,
    UnionVariants,
}

impl Section {
    pub(super) fn heading(self) -> &'static str {
        match self {
            Section::Operations => "Operations",
            Section::Parameters => "Parameters",
            Section::Fields => "Fields",
            Section::EnumValues => "Enum values",
            Section::UnionVariants => "Union variants",
        }
    }
}

/// One line of the report. Ordered by where it is listed, then by what it is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub tag: String,
    pub section: Section,
    /// What the line is about, for sorting: the operation, parameter, field or type.
    pub subject: String,
    pub text: String,
    pub breaking: bool,
}

impl Change {
    pub(super) fn line(&self) -> String {
        let mark = if self.breaking {
            "**breaking**"
        } else {
            "not breaking"
        };
        format!("- {mark}: {}", self.text)
    }
}
