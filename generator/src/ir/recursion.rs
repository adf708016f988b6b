//! Finds fields through which a type contains itself by value, so they can be boxed.

use super::{Ty, TypeDef, TypeId, TypeKind};

/// Type ids reached by value (not behind a list or map, which already allocate).
fn by_value(ty: &Ty, out: &mut Vec<TypeId>) {
    match ty {
        Ty::Named(id) => out.push(*id),
        Ty::Nullable(inner) => by_value(inner, out),
        Ty::Tuple(items) => items.iter().for_each(|t| by_value(t, out)),
        _ => {}
    }
}

/// Whether `from` reaches `target` by value.
fn reaches(types: &[TypeDef], from: TypeId, target: TypeId) -> bool {
    let mut seen = vec![false; types.len()];
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        if id == target {
            return true;
        }
        if std::mem::replace(&mut seen[id.0], true) {
            continue;
        }
        for ty in types[id.0].kind.tys() {
            by_value(ty, &mut stack);
        }
    }
    false
}

/// Marks every struct field and union variant that closes a by-value cycle.
pub fn box_cycles(types: &mut [TypeDef]) {
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let slots: Vec<&Ty> = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            _ => continue,
        };
        for (slot, ty) in slots.into_iter().enumerate() {
            let mut direct = Vec::new();
            by_value(ty, &mut direct);
            if direct.iter().any(|id| reaches(types, *id, TypeId(index))) {
                marks.push((index, slot));
            }
        }
    }
    for (index, slot) in marks {
        match &mut types[index].kind {
            TypeKind::Struct(s) => s.fields[slot].boxed = true,
            TypeKind::Union(u) => u.variants[slot].boxed = true,
            _ => {}
        }
    }
}

/// A named schema that is only another name for itself (`A: {$ref: B}`, `B: {$ref: A}`, or
/// `A: {type: array, items: {$ref: A}}`) has no Rust type; the first such alias found.
pub fn alias_cycle(types: &[TypeDef]) -> Option<TypeId> {
    let alias_targets = |id: TypeId| -> Vec<TypeId> {
        let mut out = Vec::new();
        if let TypeKind::Alias(ty) = &types[id.0].kind {
            ty.for_each_named(&mut |next| out.push(next));
        }
        out
    };
    (0..types.len()).map(TypeId).find(|start| {
        let mut seen = vec![false; types.len()];
        let mut stack = alias_targets(*start);
        while let Some(id) = stack.pop() {
            if id == *start {
                return true;
            }
            if !std::mem::replace(&mut seen[id.0], true) {
                stack.extend(alias_targets(id));
            }
        }
        false
    })
}
