/* The topic-shift measure of document splitting: a line's content words, how many lines of a run hold each one,
 * and the tf-idf cosine of two windows of words.
 *
 * A line's content words are, in order, its Latin word stems and then its CJK character pairs, read from the
 * lower-cased line exactly as these two sre patterns would find them (tests/corpus/test_topics.py holds them):
 *   \b[a-z]{3,6}            where a word starts, its first three to six letters (\b in Unicode mode)
 *   [\u4e00-\u9fff]{2}      consecutive pairs of CJK characters, left to right without overlap
 * `line_frequencies` counts, for every word, the lines that hold it, without creating a string per occurrence:
 * this is the hot loop that the splitter's idf spent a quarter of the extractor's time on in Python.
 * `cosine` weighs each word of a window by its count times log((1 + lines) / lines holding it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#define MAX_STEM 6
#define CJK_FIRST 0x4e00
#define CJK_LAST 0x9fff
#define CJK_TAG ((uint64_t)1 << 40)

static inline int is_cjk(Py_UCS4 ch) { return ch >= CJK_FIRST && ch <= CJK_LAST; }
static inline int is_latin(Py_UCS4 ch) { return ch >= 'a' && ch <= 'z'; }
/* sre's Unicode \w: alphanumeric or the underscore. */
static inline int is_word(Py_UCS4 ch) { return ch < 128 ? ch == '_' || Py_ISALNUM(ch) : Py_UNICODE_ISALNUM(ch); }

/* A word's key: stems in base 32 (letters 1-26, so no stem is 0), CJK pairs tagged above every stem. */
typedef struct {
    uint64_t key;  /* 0: an empty slot */
    Py_ssize_t lines;  /* how many lines hold the word */
    Py_ssize_t last;  /* the last line that counted it, so that a line counts a word once */
} Entry;

typedef struct {
    Entry *entries;  /* open addressing, linear probing, at most half full */
    size_t capacity, used;
} Table;

static int table_init(Table *t, size_t capacity) {
    t->entries = PyMem_Calloc(capacity, sizeof(Entry));
    t->capacity = capacity;
    t->used = 0;
    if (!t->entries) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static inline Entry *slot_of(const Table *t, uint64_t key) {
    size_t mask = t->capacity - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (t->entries[i].key && t->entries[i].key != key)
        i = (i + 1) & mask;
    return &t->entries[i];
}

static int table_grow(Table *t) {
    Table bigger;
    if (table_init(&bigger, t->capacity * 2) < 0)
        return -1;
    for (size_t i = 0; i < t->capacity; i++) {
        if (t->entries[i].key)
            *slot_of(&bigger, t->entries[i].key) = t->entries[i];
    }
    bigger.used = t->used;
    PyMem_Free(t->entries);
    *t = bigger;
    return 0;
}

/* Count `key` once for line number `line` (numbered from 1). */
static int table_count(Table *t, uint64_t key, Py_ssize_t line) {
    Entry *e = slot_of(t, key);
    if (!e->key) {
        if ((t->used + 1) * 2 > t->capacity) {
            if (table_grow(t) < 0)
                return -1;
            e = slot_of(t, key);
        }
        e->key = key;
        t->used++;
    }
    if (e->last != line) {
        e->last = line;
        e->lines++;
    }
    return 0;
}

static PyObject *word_of_key(uint64_t key) {
    if (key & CJK_TAG) {
        Py_UCS4 pair[2] = {(Py_UCS4)(((key >> 16) & 0xffff) + CJK_FIRST), (Py_UCS4)((key & 0xffff) + CJK_FIRST)};
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, pair, 2);
    }
    char stem[MAX_STEM];
    int n = 0;
    for (int shift = 5 * (MAX_STEM - 1); shift >= 0; shift -= 5) {
        unsigned letter = (unsigned)(key >> shift) & 31;
        if (letter)
            stem[n++] = (char)('a' + letter - 1);
    }
    return PyUnicode_FromStringAndSize(stem, n);
}

/* For each character below 256: the letter a-z its lower case is (1-26), or 0; whether its lower case is a word
 * character. str.lower() maps every character on its own, by its simple lower case, except U+0130 (two characters),
 * whose lines scan_line hands to str.lower() first. */
static uint8_t latin_letter[256], word_character[256];

static inline unsigned letter_of(Py_UCS4 ch) {
    if (ch < 256)
        return latin_letter[ch];
    Py_UCS4 low = Py_UNICODE_TOLOWER(ch);  /* the Kelvin sign is a "k" */
    return is_latin(low) ? low - 'a' + 1 : 0;
}

static inline int is_word_lowered(Py_UCS4 ch) { return ch < 256 ? word_character[ch] : is_word(Py_UNICODE_TOLOWER(ch)); }

/* A line's words go to EMIT(context, key) in order: first the stems, at each run of letters a-z that a non-word
 * character (or the line's start) precedes, its first six letters; then the CJK pairs. Returns -1 if EMIT failed. */
#define DEFINE_SCAN(NAME, CHAR, MAY_HOLD_CJK, EMIT)                                                               \
    static int NAME(const CHAR *s, Py_ssize_t n, void *context) {                                                \
        for (Py_ssize_t i = 0; i < n;) {                                                                         \
            unsigned letter = letter_of(s[i]);                                                                   \
            if (!letter) {                                                                                       \
                i++;                                                                                             \
                continue;                                                                                        \
            }                                                                                                    \
            int starts_word = i == 0 || !is_word_lowered(s[i - 1]), length = 0;                                  \
            uint64_t key = 0;                                                                                    \
            do {                                                                                                 \
                if (length < MAX_STEM) {                                                                         \
                    key = key << 5 | letter;                                                                     \
                    length++;                                                                                    \
                }                                                                                                \
            } while (++i < n && (letter = letter_of(s[i])));                                                     \
            if (starts_word && length >= 3 && EMIT(context, key << 5 * (MAX_STEM - length)) < 0)                 \
                return -1;                                                                                       \
        }                                                                                                        \
        if (!(MAY_HOLD_CJK))                                                                                     \
            return 0;                                                                                            \
        for (Py_ssize_t i = 0; i + 1 < n;) {                                                                     \
            Py_UCS4 a = s[i], b = s[i + 1];                                                                      \
            if (is_cjk(a) && is_cjk(b)) {                                                                        \
                if (EMIT(context, CJK_TAG | (uint64_t)(a - CJK_FIRST) << 16 | (b - CJK_FIRST)) < 0)             \
                    return -1;                                                                                   \
                i += 2;                                                                                          \
            } else {                                                                                             \
                i++;                                                                                             \
            }                                                                                                    \
        }                                                                                                        \
        return 0;                                                                                                \
    }

/* Scan `line` as found lower-cased, with the scanners NAME_ucs1, NAME_ucs2 and NAME_ucs4. */
#define DEFINE_SCAN_LINE(NAME)                                                                                    \
    static int NAME(PyObject *line, void *context) {                                                             \
        if (!PyUnicode_Check(line)) {                                                                            \
            PyErr_Format(PyExc_TypeError, "a line must be str, not %.80s", Py_TYPE(line)->tp_name);             \
            return -1;                                                                                           \
        }                                                                                                        \
        Py_ssize_t n = PyUnicode_GET_LENGTH(line);                                                               \
        if (PyUnicode_KIND(line) == PyUnicode_1BYTE_KIND)                                                        \
            return NAME##_ucs1(PyUnicode_1BYTE_DATA(line), n, context);                                          \
        if (PyUnicode_FindChar(line, 0x130, 0, n, 1) != -1) {                                                    \
            PyObject *low = PyObject_CallMethod(line, "lower", NULL);                                            \
            if (!low)                                                                                            \
                return -1;                                                                                       \
            int result = NAME(low, context); /* holds no U+0130 */                                               \
            Py_DECREF(low);                                                                                      \
            return result;                                                                                       \
        }                                                                                                        \
        if (PyUnicode_KIND(line) == PyUnicode_2BYTE_KIND)                                                        \
            return NAME##_ucs2(PyUnicode_2BYTE_DATA(line), n, context);                                          \
        return NAME##_ucs4(PyUnicode_4BYTE_DATA(line), n, context);                                              \
    }

static inline int collect(void *context, uint64_t key) {
    PyObject *word = word_of_key(key);
    if (!word)
        return -1;
    int failed = PyList_Append((PyObject *)context, word);
    Py_DECREF(word);
    return failed;
}

DEFINE_SCAN(collect_line_ucs1, Py_UCS1, 0, collect)
DEFINE_SCAN(collect_line_ucs2, Py_UCS2, 1, collect)
DEFINE_SCAN(collect_line_ucs4, Py_UCS4, 1, collect)
DEFINE_SCAN_LINE(collect_line)

typedef struct {
    Table table;
    Py_ssize_t line;
} Count;

static inline int count(void *context, uint64_t key) {
    Count *c = context;
    return table_count(&c->table, key, c->line);
}

DEFINE_SCAN(count_line_ucs1, Py_UCS1, 0, count)
DEFINE_SCAN(count_line_ucs2, Py_UCS2, 1, count)
DEFINE_SCAN(count_line_ucs4, Py_UCS4, 1, count)
DEFINE_SCAN_LINE(count_line)

static PyObject *content_words(PyObject *module, PyObject *line) {
    (void)module;
    PyObject *words = PyList_New(0);
    if (words && collect_line(line, words) < 0)
        Py_CLEAR(words);
    return words;
}

static PyObject *line_frequencies(PyObject *module, PyObject *lines) {
    (void)module;
    PyObject *seq = PySequence_Fast(lines, "lines must be a sequence of str");
    if (!seq)
        return NULL;
    Count c = {.line = 0};
    PyObject *result = NULL;
    if (table_init(&c.table, 1024) < 0)
        goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        c.line = i + 1;
        if (count_line(items[i], &c) < 0)
            goto done;
    }
    result = PyDict_New();
    for (size_t i = 0; result && i < c.table.capacity; i++) {
        Entry *e = &c.table.entries[i];
        if (!e->key)
            continue;
        PyObject *word = word_of_key(e->key), *lines_holding = PyLong_FromSsize_t(e->lines);
        if (!word || !lines_holding || PyDict_SetItem(result, word, lines_holding) < 0)
            Py_CLEAR(result);
        Py_XDECREF(word);
        Py_XDECREF(lines_holding);
    }
done:
    PyMem_Free(c.table.entries);
    Py_DECREF(seq);
    return result;
}

/* A window's tf-idf vector: its distinct words in the order they first occur, and their weights. */
typedef struct {
    PyObject *position;  /* word -> index into weight */
    double *weight;
    Py_ssize_t size;
} Vector;

static void vector_free(Vector *v) {
    Py_XDECREF(v->position);
    PyMem_Free(v->weight);
}

/* Term frequency times idf, log((1 + lines) / lines holding the word), in the order words first occur. */
static int vector_of(Vector *v, PyObject *words, PyObject *frequencies, Py_ssize_t lines) {
    v->position = PyDict_New();
    v->weight = PyMem_Calloc((size_t)PyList_GET_SIZE(words) + 1, sizeof(double));
    v->size = 0;
    if (!v->weight)
        PyErr_NoMemory();
    if (!v->position || !v->weight)
        return -1;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i), *at = PyDict_GetItemWithError(v->position, word);
        if (at) {
            v->weight[PyLong_AsSsize_t(at)] += 1;
            continue;
        }
        if (PyErr_Occurred())
            return -1;
        PyObject *index = PyLong_FromSsize_t(v->size);
        int failed = !index || PyDict_SetItem(v->position, word, index) < 0;
        Py_XDECREF(index);
        if (failed)
            return -1;
        v->weight[v->size++] = 1;
    }
    PyObject *word, *index;
    Py_ssize_t next = 0;
    while (PyDict_Next(v->position, &next, &word, &index)) {
        PyObject *holding = PyDict_GetItemWithError(frequencies, word);
        if (!holding) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, word);
            return -1;
        }
        double in_lines = PyLong_AsDouble(holding);
        if (in_lines == -1.0 && PyErr_Occurred())
            return -1;
        v->weight[PyLong_AsSsize_t(index)] *= log((double)(1 + lines) / in_lines);
    }
    return 0;
}

static PyObject *cosine(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    (void)module;
    if (nargs != 4 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyDict_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "cosine(a: list, b: list, frequencies: dict, lines: int)");
        return NULL;
    }
    Py_ssize_t lines = PyLong_AsSsize_t(args[3]);
    if (lines == -1 && PyErr_Occurred())
        return NULL;
    if (!PyList_GET_SIZE(args[0]) || !PyList_GET_SIZE(args[1]))
        return PyFloat_FromDouble(0.0);
    Vector a = {0}, b = {0};
    PyObject *result = NULL;
    if (vector_of(&a, args[0], args[2], lines) < 0 || vector_of(&b, args[1], args[2], lines) < 0)
        goto done;
    /* summed in order, one term at a time, as Python's sum() over the same floats */
    double norm_a = 0, norm_b = 0, dot = 0;
    for (Py_ssize_t i = 0; i < a.size; i++)
        norm_a += a.weight[i] * a.weight[i];
    for (Py_ssize_t i = 0; i < b.size; i++)
        norm_b += b.weight[i] * b.weight[i];
    double norm = sqrt(norm_a * norm_b);
    PyObject *word, *index;
    Py_ssize_t next = 0;
    while (PyDict_Next(a.position, &next, &word, &index)) {
        PyObject *in_b = PyDict_GetItemWithError(b.position, word);
        if (in_b)
            dot += a.weight[PyLong_AsSsize_t(index)] * b.weight[PyLong_AsSsize_t(in_b)];
        else if (PyErr_Occurred())
            goto done;
    }
    result = PyFloat_FromDouble(norm ? dot / norm : 0.0);
done:
    vector_free(&a);
    vector_free(&b);
    return result;
}

static PyMethodDef methods[] = {
    {"content_words", content_words, METH_O,
     "content_words(line) -> list of str: the line's word stems, then its CJK character pairs, lower-cased."},
    {"line_frequencies", line_frequencies, METH_O,
     "line_frequencies(lines) -> dict: for every content word of the lines, how many of them hold it."},
    {"cosine", (PyCFunction)(void (*)(void))cosine, METH_FASTCALL,
     "cosine(a, b, frequencies, lines) -> float: cosine of two word lists' tf-idf vectors, idf from line_frequencies."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef topics_module = {
    PyModuleDef_HEAD_INIT, "_topics",
    "The splitter's topic-shift measure: content words, lines holding each word, tf-idf cosine.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__topics(void) {
    for (Py_UCS4 ch = 0; ch < 256; ch++) {
        Py_UCS4 low = Py_UNICODE_TOLOWER(ch);
        latin_letter[ch] = is_latin(low) ? (uint8_t)(low - 'a' + 1) : 0;
        word_character[ch] = (uint8_t)is_word(low);
    }
    return PyModule_Create(&topics_module);
}
