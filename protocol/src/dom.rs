//! A tiny element tree: the common shape of XML and JSON messages.
//!
//! Both codecs (XML and the WebAPI JSON mirror) read into and write from this tree, so the
//! typed layer ([`crate::message`]) is written once and every transport sees the same values.

/// One element: a name, its text (for leaves) and its children, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            text: String::new(),
            children: Vec::new(),
        }
    }

    /// A leaf element holding `text`.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            text: text.into(),
            children: Vec::new(),
        }
    }

    /// The first child called `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child called `name`, in order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Text of the first child called `name`, if present.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// Appends a child and returns `self` (builder style).
    pub fn with(mut self, child: Element) -> Self {
        self.children.push(child);
        self
    }

    /// Appends a leaf when `value` is present; absent values are omitted from the output.
    pub fn push_opt(&mut self, name: &str, value: Option<impl Into<String>>) {
        if let Some(v) = value {
            self.children.push(Element::leaf(name, v));
        }
    }

    pub fn push_leaf(&mut self, name: &str, value: impl Into<String>) {
        self.children.push(Element::leaf(name, value));
    }

    /// Number of elements in this subtree (including self).
    pub fn count(&self) -> usize {
        1 + self.children.iter().map(Element::count).sum::<usize>()
    }
}
