//! BM25 relevance, as a type that can say how it reached a score (after tantivy's
//! `Bm25Weight`): a [`Bm25`] holds the collection's statistics, a [`Bm25Weight`] one query
//! term's, and [`Bm25Weight::explain`] breaks a document's score for that term into its parts.
//!
//! The part that depends on the document only, its saturated and length-normalised term
//! frequency ([`Bm25::impact`]), is computed when the index is built and stored in the postings,
//! so a query multiplies instead of looking up each document's length.

/// Term-frequency saturation.
const K1: f32 = 1.2;
/// Length normalisation.
const B: f32 = 0.75;
/// A query term's weight is capped here, so a word repeated across a long paste does not
/// outweigh everything else.
const MAX_QUERY_WEIGHT: f32 = 3.0;

/// Collection statistics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bm25 {
    pub n_docs: f32,
    pub avg_len: f32,
}

/// One query term against the collection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bm25Weight {
    /// The term's weight in the query (typed words 1.0, synonyms less, pasted lines by signal).
    pub query_weight: f32,
    pub idf: f32,
}

/// How one document scored for one term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TermScore {
    pub query_weight: f32,
    pub idf: f32,
    /// The saturated, length-normalised term frequency.
    pub tf_norm: f32,
    /// `query_weight × idf × tf_norm`.
    pub value: f32,
}

impl Bm25 {
    /// The weight of a term that `df` documents contain, weighted `query_weight` in the query.
    pub(crate) fn term(&self, query_weight: f32, df: usize) -> Bm25Weight {
        let df = df as f32;
        let idf = (1.0 + (self.n_docs - df + 0.5) / (df + 0.5)).ln();
        Bm25Weight { query_weight: query_weight.min(MAX_QUERY_WEIGHT), idf }
    }

    /// A term's saturated, length-normalised frequency in a document where it has weighted
    /// frequency `tf`, of weighted length `doc_len`: what the index stores per posting.
    pub(crate) fn impact(&self, tf: f32, doc_len: f32) -> f32 {
        tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * doc_len / self.avg_len))
    }
}

impl Bm25Weight {
    /// The term's score in a document where its [`Bm25::impact`] is `tf_norm`, with its parts.
    pub(crate) fn explain(&self, tf_norm: f32) -> TermScore {
        TermScore {
            query_weight: self.query_weight,
            idf: self.idf,
            tf_norm,
            value: self.query_weight * self.idf * tf_norm,
        }
    }

    pub(crate) fn score(&self, tf_norm: f32) -> f32 {
        self.explain(tf_norm).value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarer_terms_and_denser_documents_score_higher() {
        let bm25 = Bm25 { n_docs: 100.0, avg_len: 50.0 };
        let rare = bm25.term(1.0, 2);
        let common = bm25.term(1.0, 60);
        assert!(rare.idf > common.idf);
        assert!(rare.score(bm25.impact(2.0, 50.0)) > rare.score(bm25.impact(1.0, 50.0)));
        assert!(rare.score(bm25.impact(1.0, 25.0)) > rare.score(bm25.impact(1.0, 100.0)));
        let parts = rare.explain(bm25.impact(2.0, 50.0));
        assert_eq!(parts.value, parts.query_weight * parts.idf * parts.tf_norm);
    }

    #[test]
    fn query_weight_is_capped() {
        let bm25 = Bm25 { n_docs: 10.0, avg_len: 10.0 };
        assert_eq!(bm25.term(7.0, 1).query_weight, MAX_QUERY_WEIGHT);
    }
}
