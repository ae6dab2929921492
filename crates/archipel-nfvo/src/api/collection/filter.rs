//! SOL013 §5.2 attribute-based filters: `(op,attr,value[,value…])` expressions joined by `;`
//! (all must hold). An attribute is a path (`a.b` or `a/b`); where it crosses an array, the
//! expression holds when it holds for one of the elements. A value with `,`, `)` or `'` is
//! quoted with single quotes, a quote in it doubled.

use serde_json::Value;

/// The most expressions in one filter, and values in one expression.
const MAX_EXPRESSIONS: usize = 32;
const MAX_VALUES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Lt,
    Gte,
    Lte,
    Cont,
    Ncont,
}

/// One `(op,attr,values…)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    pub op: Op,
    pub path: Vec<String>,
    pub values: Vec<String>,
}

/// A filter: its expressions, all of which must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter(pub Vec<Expression>);

impl Filter {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut chars = text.chars().peekable();
        let mut expressions = Vec::new();
        loop {
            if chars.next() != Some('(') {
                return Err("an expression starts with `(`: (op,attribute,value)".to_owned());
            }
            let fields = fields(&mut chars)?;
            expressions.push(expression(fields)?);
            match chars.next() {
                None => break,
                Some(';') => {}
                Some(c) => return Err(format!("`{c}` after an expression: join them with `;`")),
            }
        }
        if expressions.len() > MAX_EXPRESSIONS {
            return Err(format!("{} expressions: at most {MAX_EXPRESSIONS}", expressions.len()));
        }
        Ok(Filter(expressions))
    }

    /// The attribute paths the filter names.
    pub fn paths(&self) -> impl Iterator<Item = &[String]> {
        self.0.iter().map(|e| e.path.as_slice())
    }

    pub fn holds(&self, item: &Value) -> bool {
        self.0.iter().all(|e| e.holds(item))
    }
}

/// The comma-separated fields of one expression, up to its `)`.
fn fields(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Vec<String>, String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    loop {
        let Some(c) = chars.next() else {
            return Err("an expression ends with `)`".to_owned());
        };
        let field = fields.last_mut().expect("never empty");
        match (c, quoted) {
            ('\'', true) if chars.peek() == Some(&'\'') => {
                chars.next();
                field.push('\'');
            }
            ('\'', true) => quoted = false,
            ('\'', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(String::new()),
            (')', false) => return Ok(fields),
            (c, _) => field.push(c),
        }
        if fields.len() > MAX_VALUES + 2 {
            return Err(format!("more than {MAX_VALUES} values in one expression"));
        }
    }
}

fn expression(fields: Vec<String>) -> Result<Expression, String> {
    let mut fields = fields.into_iter();
    let op = fields.next().unwrap_or_default();
    let op = match op.as_str() {
        "eq" => Op::Eq,
        "neq" => Op::Neq,
        "gt" => Op::Gt,
        "lt" => Op::Lt,
        "gte" => Op::Gte,
        "lte" => Op::Lte,
        "cont" => Op::Cont,
        "ncont" => Op::Ncont,
        other => {
            return Err(format!(
                "unknown operator `{other}`: eq, neq, gt, lt, gte, lte, cont, ncont"
            ))
        }
    };
    let attribute = fields.next().unwrap_or_default();
    let path: Vec<String> = attribute.split(['.', '/']).map(str::to_owned).collect();
    if path.iter().any(String::is_empty) {
        return Err(format!("`{attribute}` is not an attribute path such as nsState or a.b"));
    }
    let values: Vec<String> = fields.collect();
    match (op, values.len()) {
        (_, 0) => Err(format!("no value to compare {attribute} with")),
        (Op::Gt | Op::Lt | Op::Gte | Op::Lte, n) if n > 1 => {
            Err(format!("{attribute}: gt, lt, gte and lte compare with one value"))
        }
        _ => Ok(Expression { op, path, values }),
    }
}

impl Expression {
    fn holds(&self, item: &Value) -> bool {
        let mut found = Vec::new();
        values_at(item, &self.path, &mut found);
        let any = |test: &dyn Fn(&str) -> bool| found.iter().any(|v| test(&text(v)));
        match self.op {
            Op::Eq => any(&|v| self.values.iter().any(|w| v == w)),
            Op::Neq => !any(&|v| self.values.iter().any(|w| v == w)),
            Op::Cont => any(&|v| self.values.iter().any(|w| v.contains(w.as_str()))),
            Op::Ncont => !any(&|v| self.values.iter().any(|w| v.contains(w.as_str()))),
            Op::Gt => any(&|v| compare(v, &self.values[0]).is_gt()),
            Op::Lt => any(&|v| compare(v, &self.values[0]).is_lt()),
            Op::Gte => any(&|v| compare(v, &self.values[0]).is_ge()),
            Op::Lte => any(&|v| compare(v, &self.values[0]).is_le()),
        }
    }
}

/// Every value at `path` under `value`, arrays crossed element by element.
pub fn values_at<'a>(value: &'a Value, path: &[String], out: &mut Vec<&'a Value>) {
    match (value, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|item| values_at(item, path, out)),
        (_, None) => out.push(value),
        (Value::Object(map), Some((first, rest))) => {
            if let Some(inner) = map.get(first) {
                values_at(inner, rest, out);
            }
        }
        _ => {}
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// As numbers when both are, else as text (RFC 3339 times compare right as text).
fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(a), Ok(b)) => a.total_cmp(&b),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn holds(filter: &str, item: &Value) -> bool {
        Filter::parse(filter).unwrap().holds(item)
    }

    #[test]
    fn expressions_read_and_hold_as_sol013_says() {
        let item =
            json!({"nsState": "INSTANTIATED", "n": 12, "vnf": [{"name": "a,b"}, {"name": "c"}]});
        assert!(holds("(eq,nsState,INSTANTIATED)", &item));
        assert!(holds("(eq,nsState,NOT_INSTANTIATED,INSTANTIATED)", &item));
        assert!(!holds("(neq,nsState,INSTANTIATED)", &item));
        assert!(holds("(gt,n,9);(lte,n,12)", &item), "numbers compare as numbers");
        assert!(!holds("(gt,n,9);(lt,n,12)", &item));
        assert!(holds("(eq,vnf.name,c)", &item), "one element of an array is enough");
        assert!(holds("(eq,vnf/name,'a,b')", &item), "a quoted value keeps its comma");
        assert!(holds("(cont,nsState,STANT)", &item));
        assert!(holds("(ncont,vnf.name,x)", &item));
        assert!(holds("(neq,missing,x)", &item), "an absent attribute equals nothing");
        assert!(!holds("(eq,missing,x)", &item));
        assert!(holds("(eq,q,'it''s')", &json!({"q": "it's"})));
    }

    #[test]
    fn malformed_filters_say_what_is_wrong() {
        for (filter, says) in [
            ("eq,a,b", "starts with `(`"),
            ("(eq,a,b", "ends with `)`"),
            ("(like,a,b)", "unknown operator `like`"),
            ("(eq,a)", "no value"),
            ("(gt,a,1,2)", "one value"),
            ("(eq,a..b,1)", "not an attribute path"),
            ("(eq,a,1)(eq,b,2)", "join them with `;`"),
        ] {
            let err = Filter::parse(filter).unwrap_err();
            assert!(err.contains(says), "{filter}: {err}");
        }
    }
}
