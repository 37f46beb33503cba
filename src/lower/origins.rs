//! Where each value of a lowered project came from: JSON pointer → spec span, recorded by
//! lowering as it places values and read by `check` and `lint` to point at the spec.

use crate::diag::Span;

/// Where each value of an output document came from: JSON pointer → spec span.
#[derive(Clone, Debug, Default)]
pub(crate) struct Origins {
    entries: Vec<(String, Span)>,
}

impl Origins {
    pub(crate) fn record(&mut self, pointer: String, span: &Span) {
        self.entries.push((pointer, span.clone()));
    }

    /// The span recorded for `pointer` or, failing that, for its closest recorded parent.
    pub(crate) fn find(&self, pointer: &str) -> Option<&Span> {
        let mut probe = pointer;
        loop {
            if let Some((_, span)) = self.entries.iter().rev().find(|(p, _)| p == probe) {
                return Some(span);
            }
            probe = &probe[..probe.rfind('/')?];
        }
    }
}
