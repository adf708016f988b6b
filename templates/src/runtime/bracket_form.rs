// requires-uses: bracket_form
//! `application/x-www-form-urlencoded` bodies whose document asks for the `deepObject` style:
//! a nested member's name spelled out in brackets, a list's items by index
//! (`address[city]=Berlin&items[0][price]=p_1`), as Rails, PHP and `qs` read forms.
//!
//! OpenAPI defines the style for one level only; deeper levels and lists follow the same rule,
//! as the APIs that use the style (Stripe's, for one) expect.

use serde::Serialize;
use serde_json::Value;

use super::encoding::{for_each_field, percent_encode, scalar};
use super::request::Request;

impl Request {
    /// The fields of `body`, a struct, as a form with nested members in brackets; null members
    /// are left out.
    pub fn bracket_form<T: Serialize>(&mut self, body: &T) {
        let mut text = String::new();
        match for_each_field(body, |key, value| append(&mut text, key.into(), value)) {
            Ok(()) => self.body("application/x-www-form-urlencoded", text),
            Err(e) => self.fail(format!("the form does not serialise: {e}")),
        }
    }
}

/// Appends `value` under `name`: a scalar as one pair, an object or list member by member.
fn append(text: &mut String, name: String, value: Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                append(text, format!("{name}[{key}]"), member);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.into_iter().enumerate() {
                append(text, format!("{name}[{index}]"), item);
            }
        }
        scalar_value => {
            if let Some(value) = scalar(scalar_value) {
                if !text.is_empty() {
                    text.push('&');
                }
                percent_encode(&name, text);
                text.push('=');
                percent_encode(&value, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Address {
        line1: String,
        city: Option<String>,
    }

    #[derive(Serialize)]
    struct Item {
        price: String,
        quantity: i64,
    }

    #[derive(Serialize)]
    struct Subscription {
        customer: String,
        address: Address,
        items: Vec<Item>,
        expand: Vec<String>,
        note: Option<String>,
    }

    #[test]
    fn nested_members_and_list_items_go_in_brackets() {
        let body = Subscription {
            customer: "cus 1".into(),
            address: Address {
                line1: "1 Main St".into(),
                city: None,
            },
            items: vec![Item {
                price: "p_1".into(),
                quantity: 2,
            }],
            expand: vec!["a".into(), "b.c".into()],
            note: None,
        };
        let mut text = String::new();
        for_each_field(&body, |key, value| append(&mut text, key.into(), value)).unwrap();
        assert_eq!(
            text,
            "customer=cus%201&address%5Bline1%5D=1%20Main%20St\
             &items%5B0%5D%5Bprice%5D=p_1&items%5B0%5D%5Bquantity%5D=2\
             &expand%5B0%5D=a&expand%5B1%5D=b.c"
        );
    }
}
