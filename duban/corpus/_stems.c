/* The content words of a line, and how many lines of a run hold each one: the tokeniser of document splitting.
 *
 * A line's content words are, in order, its Latin word stems and then its CJK character pairs, read from the
 * lower-cased line exactly as these two sre patterns would find them (tests/corpus/test_stems.py holds them):
 *   \b[a-z]{3,6}            where a word starts, its first three to six letters (\b in Unicode mode)
 *   [\u4e00-\u9fff]{2}      consecutive pairs of CJK characters, left to right without overlap
 * `line_frequencies` counts, for every word, the lines that hold it, without creating a string per occurrence:
 * this is the hot loop that the splitter's idf spent a quarter of the extractor's time on in Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_STEM 6
#define CJK_FIRST 0x4e00
#define CJK_LAST 0x9fff
#define CJK_TAG ((uint64_t)1 << 40)

static inline int is_cjk(Py_UCS4 ch) { return ch >= CJK_FIRST && ch <= CJK_LAST; }
static inline int is_latin(Py_UCS4 ch) { return ch >= 'a' && ch <= 'z'; }
/* sre's Unicode \w: alphanumeric or the underscore. */
static inline int is_word(Py_UCS4 ch) { return ch == '_' || Py_UNICODE_ISALNUM(ch); }

/* A word's key: stems in base 32 (letters 1-26, so no stem is 0), CJK pairs tagged above every stem. */
typedef struct {
    uint64_t *keys;  /* 0: an empty slot */
    Py_ssize_t *lines;  /* how many lines hold the word */
    Py_ssize_t *last;  /* the last line that counted it, so that a line counts a word once */
    size_t capacity, used;
} Table;

static int table_init(Table *t, size_t capacity) {
    t->keys = PyMem_Calloc(capacity, sizeof(uint64_t));
    t->lines = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    t->last = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    t->capacity = capacity;
    t->used = 0;
    if (!t->keys || !t->lines || !t->last) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void table_free(Table *t) {
    PyMem_Free(t->keys);
    PyMem_Free(t->lines);
    PyMem_Free(t->last);
}

static inline size_t slot_of(const Table *t, uint64_t key) {
    size_t mask = t->capacity - 1, i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    while (t->keys[i] && t->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static int table_grow(Table *t) {
    Table bigger;
    if (table_init(&bigger, t->capacity * 2) < 0)
        return -1;
    for (size_t i = 0; i < t->capacity; i++) {
        if (t->keys[i]) {
            size_t j = slot_of(&bigger, t->keys[i]);
            bigger.keys[j] = t->keys[i];
            bigger.lines[j] = t->lines[i];
            bigger.last[j] = t->last[i];
        }
    }
    bigger.used = t->used;
    table_free(t);
    *t = bigger;
    return 0;
}

/* Count `key` once for line number `line` (numbered from 1). */
static int table_count(Table *t, uint64_t key, Py_ssize_t line) {
    size_t i = slot_of(t, key);
    if (!t->keys[i]) {
        if ((t->used + 1) * 2 > t->capacity) {
            if (table_grow(t) < 0)
                return -1;
            i = slot_of(t, key);
        }
        t->keys[i] = key;
        t->used++;
    }
    if (t->last[i] != line) {
        t->last[i] = line;
        t->lines[i]++;
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

/* One line's words, lower-cased, handed to `emit(start, length, key)`; returns -1 if emit failed. */
typedef int (*Emit)(void *context, Py_ssize_t start, Py_ssize_t length, uint64_t key);

static int scan_lowered(PyObject *low, Emit emit, void *context) {
    int kind = PyUnicode_KIND(low);
    const void *data = PyUnicode_DATA(low);
    Py_ssize_t n = PyUnicode_GET_LENGTH(low);
    int ascii = PyUnicode_IS_ASCII(low);
    Py_UCS4 prev = 0;  /* not a word character: the start of the line */
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (!is_latin(ch)) {
            prev = ch;
            i++;
            continue;
        }
        Py_ssize_t end = i + 1;
        while (end < n && is_latin(PyUnicode_READ(kind, data, end)))
            end++;
        int starts_word = i == 0 || !(ascii ? (prev == '_' || (prev < 128 && Py_ISALNUM(prev))) : is_word(prev));
        if (starts_word && end - i >= 3) {
            Py_ssize_t length = end - i < MAX_STEM ? end - i : MAX_STEM;
            uint64_t key = 0;
            for (Py_ssize_t j = 0; j < MAX_STEM; j++)
                key = (key << 5) | (j < length ? PyUnicode_READ(kind, data, i + j) - 'a' + 1 : 0);
            if (emit(context, i, length, key) < 0)
                return -1;
        }
        prev = PyUnicode_READ(kind, data, end - 1);
        i = end;
    }
    if (ascii)
        return 0;
    for (Py_ssize_t i = 0; i + 1 < n;) {
        Py_UCS4 a = PyUnicode_READ(kind, data, i), b = PyUnicode_READ(kind, data, i + 1);
        if (is_cjk(a) && is_cjk(b)) {
            if (emit(context, i, 2, CJK_TAG | (uint64_t)(a - CJK_FIRST) << 16 | (b - CJK_FIRST)) < 0)
                return -1;
            i += 2;
        } else {
            i++;
        }
    }
    return 0;
}

static PyObject *lowered(PyObject *line) {
    if (!PyUnicode_Check(line)) {
        PyErr_Format(PyExc_TypeError, "a line must be str, not %.80s", Py_TYPE(line)->tp_name);
        return NULL;
    }
    return PyObject_CallMethod(line, "lower", NULL);
}

typedef struct {
    PyObject *low, *words;
} Collect;

static int collect(void *context, Py_ssize_t start, Py_ssize_t length, uint64_t key) {
    (void)key;
    Collect *c = context;
    PyObject *word = PyUnicode_Substring(c->low, start, start + length);
    if (!word)
        return -1;
    int failed = PyList_Append(c->words, word);
    Py_DECREF(word);
    return failed;
}

static PyObject *content_words(PyObject *module, PyObject *line) {
    (void)module;
    Collect c = {lowered(line), NULL};
    if (!c.low)
        return NULL;
    c.words = PyList_New(0);
    if (!c.words || scan_lowered(c.low, collect, &c) < 0)
        Py_CLEAR(c.words);
    Py_DECREF(c.low);
    return c.words;
}

typedef struct {
    Table table;
    Py_ssize_t line;
} Count;

static int count(void *context, Py_ssize_t start, Py_ssize_t length, uint64_t key) {
    (void)start, (void)length;
    Count *c = context;
    return table_count(&c->table, key, c->line);
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
        PyObject *low = lowered(items[i]);
        if (!low)
            goto done;
        c.line = i + 1;
        int failed = scan_lowered(low, count, &c);
        Py_DECREF(low);
        if (failed < 0)
            goto done;
    }
    result = PyDict_New();
    for (size_t i = 0; result && i < c.table.capacity; i++) {
        if (!c.table.keys[i])
            continue;
        PyObject *word = word_of_key(c.table.keys[i]), *lines_holding = PyLong_FromSsize_t(c.table.lines[i]);
        if (!word || !lines_holding || PyDict_SetItem(result, word, lines_holding) < 0)
            Py_CLEAR(result);
        Py_XDECREF(word);
        Py_XDECREF(lines_holding);
    }
done:
    table_free(&c.table);
    Py_DECREF(seq);
    return result;
}

static PyMethodDef methods[] = {
    {"content_words", content_words, METH_O,
     "content_words(line) -> list of str: the line's word stems, then its CJK character pairs, lower-cased."},
    {"line_frequencies", line_frequencies, METH_O,
     "line_frequencies(lines) -> dict: for every content word of the lines, how many of them hold it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef stems_module = {
    PyModuleDef_HEAD_INIT, "_stems", "The splitter's tokeniser: content words of a line, lines holding each word.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__stems(void) { return PyModule_Create(&stems_module); }
