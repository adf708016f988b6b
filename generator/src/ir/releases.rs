//! What the supported releases of the API send, from its release history: operations,
//! parameters and fields newer than the oldest supported release are dated, and a field some
//! supported release does not send (or may leave out) is read as absent when missing.

use super::{Releases, TagApi, Ty, TypeDef, TypeKind};
use crate::error::unescape_token;
use crate::history::{History, Span};

/// The release history and the oldest release the client supports (an index into it).
pub struct Support<'a> {
    history: &'a History,
    oldest: usize,
}

impl<'a> Support<'a> {
    /// `None` when `oldest` is not one of the history's releases.
    pub fn new(history: &'a History, oldest: &str) -> Option<Support<'a>> {
        let oldest = history.position(oldest)?;
        Some(Support { history, oldest })
    }

    pub fn releases(&self) -> Releases {
        let version = self.history.version.as_ref();
        Releases {
            product: self.history.product.clone(),
            oldest: self.history.releases[self.oldest].clone(),
            newest: self.history.releases.last().cloned().unwrap_or_default(),
            version_endpoint: version.map(|v| (v.path.clone(), v.field.clone())),
        }
    }

    /// The first release that matters for what belongs to something added in `owner`: the
    /// oldest supported one, or the owner's own when it is newer (a schema's properties came
    /// with it, they are not news of their own).
    fn baseline(&self, owner: Option<&Span>) -> usize {
        let since = owner.and_then(|span| self.history.position(&span.since));
        since.map_or(self.oldest, |since| since.max(self.oldest))
    }

    /// The release that added something, when that is newer than `baseline`.
    fn newer(&self, span: Option<&Span>, baseline: usize) -> Option<String> {
        let span = span?;
        let since = self.history.position(&span.since)?;
        (since > baseline).then(|| span.since.clone())
    }

    /// Whether every release from `baseline` on has a property and requires it.
    fn always_required(&self, span: Option<&Span>, baseline: usize) -> bool {
        let by_baseline = |r: &str| self.history.position(r).is_some_and(|i| i <= baseline);
        span.is_none_or(|s| by_baseline(&s.since) && s.required.as_deref().is_none_or(by_baseline))
    }

    /// Dates operations and their parameters.
    pub fn date_operations(&self, apis: &mut [TagApi]) {
        for op in apis.iter_mut().flat_map(|a| a.operations.iter_mut()) {
            let key = format!("{} {}", op.method.as_str(), op.path);
            let span = self.history.operations.get(&key);
            op.since = self.newer(span, self.oldest);
            let baseline = self.baseline(span);
            let params = self.history.parameters.get(&key);
            for param in &mut op.params {
                param.since = self.newer(params.and_then(|p| p.get(&param.name)), baseline);
            }
        }
    }

    /// Dates the fields of component schemas; a response type's required field that some
    /// supported release does not require (or has not) becomes optional.
    pub fn date_fields(&self, types: &mut [TypeDef]) {
        for def in types.iter_mut() {
            let received_only = def.usage.response && !def.usage.request;
            let schema = component_name(&def.pointer);
            let (Some(schema), TypeKind::Struct(s)) = (schema, &mut def.kind) else {
                continue;
            };
            let properties = self.history.properties.get(&schema);
            let baseline = self.baseline(self.history.schemas.get(&schema));
            for field in &mut s.fields {
                let span = properties.and_then(|p| p.get(&field.wire_name));
                field.since = self.newer(span, baseline);
                // A nullable field needs nothing: a missing key reads as null whatever the history.
                let nullable = matches!(field.ty, Ty::Nullable(_));
                let sometimes_absent = !self.always_required(span, baseline);
                if received_only && field.required && !nullable && sometimes_absent {
                    field.required = false;
                    field.relaxed = true;
                }
            }
        }
    }
}

/// `TaskInstanceResponse` for `/components/schemas/TaskInstanceResponse`; `None` for a
/// schema nested in one (a `/` in a name itself is escaped, `~1`).
fn component_name(pointer: &str) -> Option<String> {
    let token = pointer.strip_prefix("/components/schemas/")?;
    (!token.contains('/')).then(|| unescape_token(token))
}

#[cfg(test)]
mod tests {
    use super::component_name;

    #[test]
    fn a_component_is_named_as_the_document_spells_it() {
        let escaped = "/components/schemas/a~1b~0c";
        assert_eq!(component_name(escaped).as_deref(), Some("a/b~c"));
        assert_eq!(component_name("/components/schemas/A/properties/b"), None);
    }
}
