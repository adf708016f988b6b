//! Finds fields through which a type contains itself by value, so they can be boxed.

use std::collections::BTreeSet;

use super::{Ty, TypeDef, TypeId, TypeKind};

/// Type ids reached by value (not behind a list or map, which already allocate).
fn by_value(ty: &Ty) -> Vec<TypeId> {
    match ty {
        Ty::Named(id) => vec![*id],
        Ty::Nullable(inner) => by_value(inner),
        Ty::Tuple(items) => items.iter().flat_map(by_value).collect(),
        _ => Vec::new(),
    }
}

/// Whether `target` is reached from `start` by following `next`.
fn reaches(start: Vec<TypeId>, target: TypeId, next: impl Fn(TypeId) -> Vec<TypeId>) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = start;
    while let Some(id) = stack.pop() {
        if id == target {
            return true;
        }
        if seen.insert(id) {
            stack.extend(next(id));
        }
    }
    false
}

/// Marks every struct field and union variant that closes a by-value cycle.
pub fn box_cycles(types: &mut [TypeDef]) {
    let contains =
        |id: TypeId| Vec::from_iter(types[id.0].kind.tys().into_iter().flat_map(by_value));
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let slots = def.kind.tys().into_iter().enumerate();
        let closing = slots.filter(|(_, ty)| reaches(by_value(ty), TypeId(index), contains));
        marks.extend(closing.map(|(slot, _)| (index, slot)));
    }
    // An alias or a struct's map of other keys (its last slot) has nothing to box.
    for (index, slot) in marks {
        match &mut types[index].kind {
            TypeKind::Struct(s) if slot < s.fields.len() => s.fields[slot].boxed = true,
            TypeKind::Union(u) => u.variants[slot].boxed = true,
            _ => {}
        }
    }
}

/// A named schema that is only another name for itself (`A: {$ref: B}`, `B: {$ref: A}`, or
/// `A: {type: array, items: {$ref: A}}`) has no Rust type; the first such alias found.
pub fn alias_cycle(types: &[TypeDef]) -> Option<TypeId> {
    let alias_targets = |id: TypeId| match &types[id.0].kind {
        TypeKind::Alias(ty) => ty.named(),
        _ => Vec::new(),
    };
    let mut ids = (0..types.len()).map(TypeId);
    ids.find(|start| reaches(alias_targets(*start), *start, alias_targets))
}
