//! Recognises list operations that page with `limit`/`offset` and report a total (and those
//! that also page by keyset `cursor`), so the emitter can offer a stream of every item. The
//! names are the common REST convention.

use std::collections::BTreeSet;

use super::{
    CursorPaging, Field, Operation, Paging, Param, ParamLocation, Returns, TagApi, Ty, TypeDef,
};

const LIMIT: &str = "limit";
const OFFSET: &str = "offset";
const TOTAL: &str = "total_entries";
const CURSOR: &str = "cursor";
const NEXT_CURSOR: &str = "next_cursor";

pub fn detect(api: &mut TagApi, types: &[TypeDef]) {
    let mut taken: BTreeSet<String> = api.operations.iter().map(|o| o.fn_name.clone()).collect();
    for op in &mut api.operations {
        if let Some(mut paging) = paging_of(op, types) {
            let mut name = format!("{}_stream", op.fn_name);
            while !taken.insert(name.clone()) {
                name.push('_');
            }
            paging.fn_name = name;
            op.paging = Some(paging);
        }
    }
}

fn paging_of(op: &Operation, types: &[TypeDef]) -> Option<Paging> {
    let query = |wire: &str, ty: fn(&Ty) -> bool| {
        let named = |p: &&Param| p.name == wire && p.location == ParamLocation::Query && ty(&p.ty);
        op.optional_params().find(named)
    };
    let integer = |ty: &Ty| matches!(ty, Ty::I64 | Ty::I32);
    let limit = query(LIMIT, integer)?.rust_name.clone();
    let offset = query(OFFSET, integer)?.rust_name.clone();
    let Returns::One(content) = &op.returns else {
        return None;
    };
    let s = content.ty.named_struct(types)?;
    let field = |wire: &str, ty: Ty| {
        let named = |f: &&Field| f.wire_name == wire && *f.ty.non_null() == ty;
        s.fields.iter().find(named)
    };
    let total = field(TOTAL, Ty::I64)?;
    // The one required list is the page's items.
    let mut lists = s.fields.iter().filter_map(|f| match &f.ty {
        Ty::List(item) if f.required => Some((f, item)),
        _ => None,
    });
    let (Some((items, item)), None) = (lists.next(), lists.next()) else {
        return None;
    };
    let cursor_param = query(CURSOR, |ty| *ty == Ty::String);
    let next = field(NEXT_CURSOR, Ty::String);
    let cursor = cursor_param.zip(next).map(|(param, next)| CursorPaging {
        param: param.rust_name.clone(),
        next: next.rust_name.clone(),
        next_presence: next.presence,
        since: param.since.clone(),
    });
    Some(Paging {
        fn_name: String::new(),
        limit,
        offset,
        items: items.rust_name.clone(),
        total: total.rust_name.clone(),
        total_presence: total.presence,
        item: (**item).clone(),
        cursor,
    })
}
