//! The CSS colour names: the 148 named colours of CSS Color Module Level 4 and
//! `transparent`, the only words `lower::is_color` takes for a colour. Any other word
//! (`sunset`) is not a colour, so a scene's `background: sunset` is an image path, which
//! `check`'s lints name as neither.

/// Sorted, lower case, for [`is_named`]'s binary search.
#[rustfmt::skip]
pub(crate) const NAMES: [&str; 149] = [
    "aliceblue", "antiquewhite", "aqua", "aquamarine", "azure", "beige", "bisque", "black",
    "blanchedalmond", "blue", "blueviolet", "brown", "burlywood", "cadetblue", "chartreuse",
    "chocolate", "coral", "cornflowerblue", "cornsilk", "crimson", "cyan", "darkblue", "darkcyan",
    "darkgoldenrod", "darkgray", "darkgreen", "darkgrey", "darkkhaki", "darkmagenta",
    "darkolivegreen", "darkorange", "darkorchid", "darkred", "darksalmon", "darkseagreen",
    "darkslateblue", "darkslategray", "darkslategrey", "darkturquoise", "darkviolet", "deeppink",
    "deepskyblue", "dimgray", "dimgrey", "dodgerblue", "firebrick", "floralwhite", "forestgreen",
    "fuchsia", "gainsboro", "ghostwhite", "gold", "goldenrod", "gray", "green", "greenyellow",
    "grey", "honeydew", "hotpink", "indianred", "indigo", "ivory", "khaki", "lavender",
    "lavenderblush", "lawngreen", "lemonchiffon", "lightblue", "lightcoral", "lightcyan",
    "lightgoldenrodyellow", "lightgray", "lightgreen", "lightgrey", "lightpink", "lightsalmon",
    "lightseagreen", "lightskyblue", "lightslategray", "lightslategrey", "lightsteelblue",
    "lightyellow", "lime", "limegreen", "linen", "magenta", "maroon", "mediumaquamarine",
    "mediumblue", "mediumorchid", "mediumpurple", "mediumseagreen", "mediumslateblue",
    "mediumspringgreen", "mediumturquoise", "mediumvioletred", "midnightblue", "mintcream",
    "mistyrose", "moccasin", "navajowhite", "navy", "oldlace", "olive", "olivedrab", "orange",
    "orangered", "orchid", "palegoldenrod", "palegreen", "paleturquoise", "palevioletred",
    "papayawhip", "peachpuff", "peru", "pink", "plum", "powderblue", "purple", "rebeccapurple",
    "red", "rosybrown", "royalblue", "saddlebrown", "salmon", "sandybrown", "seagreen", "seashell",
    "sienna", "silver", "skyblue", "slateblue", "slategray", "slategrey", "snow", "springgreen",
    "steelblue", "tan", "teal", "thistle", "tomato", "transparent", "turquoise", "violet", "wheat",
    "white", "whitesmoke", "yellow", "yellowgreen",
];

/// Whether `word` is a CSS colour name, in any case (`RebeccaPurple`).
pub(crate) fn is_named(word: &str) -> bool {
    NAMES
        .binary_search_by(|name| cmp_ignoring_case(name, word))
        .is_ok()
}

/// The colour name `word` is probably a misspelling of (`navvy`: `navy`), if one is close;
/// spaces and hyphens left out (`light-grey`: `lightgrey`).
pub(crate) fn closest(word: &str) -> Option<&'static str> {
    let squeezed: String = word
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    if squeezed.is_empty() {
        return None;
    }
    crate::diag::did_you_mean(&squeezed, NAMES)
}

/// `name` (lower case) against `word` compared as if `word` were lower case too.
fn cmp_ignoring_case(name: &str, word: &str) -> std::cmp::Ordering {
    let word = word.bytes().map(|b| b.to_ascii_lowercase());
    name.bytes().cmp(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_are_sorted_lower_case_and_css_level_4s_with_transparent() {
        assert_eq!(NAMES.len(), 148 + 1);
        assert!(NAMES.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(
            NAMES
                .iter()
                .all(|n| n.bytes().all(|b| b.is_ascii_lowercase()))
        );
        for name in [
            "aliceblue",
            "rebeccapurple",
            "transparent",
            "yellowgreen",
            "grey",
        ] {
            assert!(is_named(name), "{name}");
        }
    }

    #[test]
    fn a_name_is_known_in_any_case_and_other_words_are_not() {
        for name in ["Navy", "RebeccaPurple", "TRANSPARENT", "DarkSlateGrey"] {
            assert!(is_named(name), "{name}");
        }
        for word in [
            "sunset",
            "navvy",
            "",
            "bluish",
            "currentcolor",
            "navy ",
            "zzz",
            "a",
        ] {
            assert!(!is_named(word), "{word}");
        }
    }

    #[test]
    fn a_misspelt_name_finds_its_colour_and_a_far_word_none() {
        assert_eq!(closest("navvy"), Some("navy"));
        assert_eq!(closest("Light-Grey"), Some("lightgrey"));
        assert_eq!(closest("dark slate blue"), Some("darkslateblue"));
        assert_eq!(closest("sunset"), None);
        assert_eq!(closest(" "), None);
    }
}
