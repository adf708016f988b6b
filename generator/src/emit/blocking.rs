//! The blocking twins: `src/blocking/generated.rs` holds an API type per tag, and each
//! operation's module the blocking twins of its methods.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::signature::{arguments, return_type, Argument};
use super::ty::{ident, ty, ModelPath};
use crate::ir::{Api, Operation, TagApi};

pub fn module(api: &Api) -> TokenStream {
    let tags = api.apis.iter().map(tag_type);
    let paging = api.operations().any(|(_, op)| op.paging.is_some());
    let paged = paging.then(|| {
        quote!(
            pub use crate::runtime::paging::blocking::Paged;
        )
    });
    quote!(#paged #(#tags)*)
}

/// The blocking API type of a tag; its methods live with their operations (see `api.rs`).
fn tag_type(tag: &TagApi) -> TokenStream {
    let name = ident(&tag.type_name);
    let accessor = format_ident!("{}", tag.accessor);
    let doc = format!(" The blocking twin of [`crate::{}`].", tag.type_name);
    let accessor_doc = format!(" The [`{}`] operations.", tag.type_name);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            pub(crate) client: super::Client,
            pub(crate) inner: crate::#name,
        }

        impl super::Client {
            #[doc = #accessor_doc]
            pub fn #accessor(&self) -> #name {
                #name { client: self.clone(), inner: crate::#name::new(self.as_async()) }
            }
        }
    }
}

/// The blocking twins of an operation's method and streaming twin, each driving the async
/// one on the client's runtime.
pub fn methods(api: &Api, tag: &TagApi, op: &Operation) -> TokenStream {
    let name = ident(&op.fn_name);
    let arguments = arguments(api, op);
    let args: Vec<_> = arguments.iter().map(Argument::declaration).collect();
    let returns = return_type(api, op);
    let names: Vec<_> = arguments.iter().map(|a| &a.name).collect();
    let fn_name = &op.fn_name;
    let summary = format!(
        " [`{0}::{fn_name}`](crate::{0}::{fn_name}), blocking until the answer is in.",
        tag.type_name
    );
    let allow_args = (args.len() > 6).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let stream = op.paging.as_ref().map(|paging| {
        let stream_name = ident(&paging.fn_name);
        let item = ty(api, &paging.item, ModelPath::Models);
        let stream_doc = format!(
            " [`{0}::{1}`](crate::{0}::{1}) as an iterator, which says where to resume after an \
             error.",
            tag.type_name,
            paging.fn_name
        );
        let decls = arguments.iter().map(Argument::owned_declaration);
        quote! {
            #[doc = #stream_doc]
            pub fn #stream_name(&self, #(#decls,)* page_size: i64) -> crate::blocking::Paged<'_, #item> {
                crate::blocking::Paged::new(&self.client, self.inner.#stream_name(#(#names,)* page_size))
            }
        }
    });
    quote! {
        #[doc = #summary]
        #deprecated
        #allow_args
        pub fn #name(&self, #(#args),*) -> Result<#returns, Error> {
            self.client.block_on(self.inner.#name(#(#names),*))
        }
        #stream
    }
}
