"""Characters and control sequences for BibTeX output: which non-ASCII symbols have a
standard TeX spelling, and which TeX commands an exported title must never run.

The rule (one for titles, names, journal references and abstracts):
- accented Latin letters become accent macros (``{\\'{a}}``), precomposed or not;
- Greek letters and common math symbols become math macros: ``\\alpha`` inside
  ``$...$`` math, ``{$\\alpha$}`` in text (as Zotero and JabRef write them);
- every other non-ASCII character stays UTF-8 (biber, Zotero, bibtexparser and
  LaTeX with UTF-8 input read it);
- ``$...$`` math is kept, unless it holds a command that reads or writes files,
  defines or redefines commands, changes category codes or builds command names
  (``\\input``, ``\\write``, ``\\def``, ``\\catcode``, ``\\csname``, ``^^5c``...):
  then the whole math is escaped as plain text, which TeX prints and never runs.
"""

from __future__ import annotations

import re

_GREEK_NAMES = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
    "rho varsigma sigma tau upsilon phi chi psi omega"
).split()
# U+03B1.. lower case (U+03C2 is final sigma); upper case has no varsigma.
GREEK: dict[str, str] = {chr(0x3B1 + n): "\\" + name for n, name in enumerate(_GREEK_NAMES)}
GREEK["\u03c2"] = r"\varsigma"
GREEK.update(
    {
        chr(0x391 + n): "\\" + name.capitalize()
        for n, name in enumerate(_GREEK_NAMES)
        if name != "varsigma"
    }
)
# Capitals that look like Latin letters have no macro in TeX: the Latin letter is right.
GREEK.update(dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX", strict=True)))
GREEK.update({"ϵ": r"\epsilon", "ε": r"\varepsilon", "ϑ": r"\vartheta", "ϕ": r"\phi",
              "φ": r"\varphi", "ϱ": r"\varrho", "ϖ": r"\varpi", "ο": "o"})  # fmt: skip
GREEK["\u03c5"] = r"\upsilon"

MATH_SYMBOLS: dict[str, str] = {
    "≤": r"\leq", "≥": r"\geq", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv",
    "∼": r"\sim", "≪": r"\ll", "≫": r"\gg", "×": r"\times", "÷": r"\div", "±": r"\pm",
    "∓": r"\mp", "·": r"\cdot", "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla",
    "∑": r"\sum", "∏": r"\prod", "∫": r"\int", "√": r"\surd", "∈": r"\in",
    "∉": r"\notin", "⊂": r"\subset", "⊆": r"\subseteq", "∪": r"\cup", "∩": r"\cap",
    "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee",
    "⊗": r"\otimes", "⊕": r"\oplus", "→": r"\to", "←": r"\leftarrow",
    "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "↦": r"\mapsto", "ℓ": r"\ell", "ℏ": r"\hbar", "∅": r"\emptyset", "′": r"\prime",
    "∘": r"\circ", "⟨": r"\langle", "⟩": r"\rangle",
}  # fmt: skip
# Greek and the symbols above: the macro to write inside math.
MATH_MACROS: dict[str, str] = {**GREEK, **MATH_SYMBOLS}

# Primitives and macros that touch files, the terminal or the shell, (re)define
# commands, change how TeX reads its input, or build a command from a string.
DANGEROUS = frozenset(
    """input include includeonly InputIfFileExists IfFileExists openin openout read
    readline write immediate closein closeout newread newwrite special shipout
    def edef gdef xdef let futurelet global long outer protected newcommand
    renewcommand providecommand DeclareRobustCommand newenvironment renewenvironment
    catcode lccode uccode mathcode delcode sfcode endlinechar newlinechar escapechar
    csname endcsname expandafter noexpand scantokens detokenize unexpanded string
    makeatletter makeatother usepackage RequirePackage documentclass begin end
    endinput jobname everypar everymath everyhbox everyvbox everyjob everyeof
    output afterassignment aftergroup errhelp errmessage message show showthe
    batchmode nonstopmode scrollmode errorstopmode pdfprimitive primitive
    directlua latelua luaexec ShellEscape write18 pdfshellescape loop repeat
    uppercase lowercase romannumeral number the toks toksdef countdef dimendef
    chardef mathchardef font""".split()
)
_CONTROL_WORD = re.compile(r"\\([A-Za-z@]+)")


def is_safe_math(math: str) -> bool:
    """No dangerous command, no ^^ character code (``^^5c`` is a backslash to TeX),
    and no control word with an @ (internal macros)."""
    if "^^" in math:
        return False
    return not any("@" in name or name in DANGEROUS for name in _CONTROL_WORD.findall(math))
