/*
 * mlvmmodule.c - the Python module `mlvm`: libmlvm's public interface
 * (<mlvm/mlvm.h>) for Python 3, in the manner of libyal's pyvslvm.
 *
 * Layer: a front-end over the public API. May include Python.h, the C
 * standard headers and <mlvm/mlvm.h> only, never a header of src/.
 *
 *   h = mlvm.open(["pv0.img", "pv1.img"])   # or mlvm.Handle(...)
 *   for vg in h.vgs:
 *       for lv in vg.lvs:
 *           data = lv.read(0, 4096)          # bytes; lv.missing_ranges
 *   old = h.at_generation(12)                # the VGs as of seqno 12
 *   h.warnings, h.generations
 *
 * Values are read from the library when asked. An LV opens its reader on
 * its first read; Handle.close() (or leaving a `with` block) closes every
 * reader of the handle and the handle; using them afterwards raises
 * ValueError. Library failures raise OSError (errno and the library's
 * message), wrong arguments ValueError or TypeError. The GIL is held
 * throughout: a handle is used by one thread at a time, as the library
 * requires.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <mlvm/mlvm.h>

PyMODINIT_FUNC PyInit_mlvm(void);

#define MAX_READ ((size_t)1 << 30)	/* one read() returns at most 1 GiB */

static PyTypeObject HandleType, VolumeGroupType, LogicalVolumeType;
static PyTypeObject PhysicalVolumeType, GenerationType, WarningType;

struct lvobj;

typedef struct {
	PyObject_HEAD
	struct libmlvm_handle *h;
	PyObject *paths;		/* tuple of str */
	PyObject *generation;		/* None or the seqno it was opened as of */
	unsigned flags;			/* LIBMLVM_OPEN_* it was opened with */
	struct lvobj *readers;		/* LVs with an open reader */
} HandleObject;

typedef struct {
	PyObject_HEAD
	HandleObject *handle;
	size_t vg;
} VGObject;

typedef struct lvobj {
	PyObject_HEAD
	HandleObject *handle;
	size_t vg, lv;
	struct libmlvm_lv_reader *rd;
	struct lvobj *next, *prev;	/* in handle->readers while rd is open */
} LVObject;

/* ------------------------------------------------------------ helpers */

static PyObject *raise_lib(int rc)
{
	const char *msg = libmlvm_error();
	int e = rc < 0 ? -rc : EIO;
	PyObject *args = Py_BuildValue("(is)", e, msg && *msg ? msg : strerror(e));

	if (args) {
		PyErr_SetObject(PyExc_OSError, args);
		Py_DECREF(args);
	}
	return NULL;
}

static PyObject *str_or_none(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeFSDefault(s);
}

static int handle_ok(HandleObject *h)
{
	if (!h->h) {
		PyErr_SetString(PyExc_ValueError, "the handle is closed");
		return 0;
	}
	return 1;
}

static void reader_close(LVObject *lv)
{
	if (!lv->rd)
		return;
	libmlvm_lv_reader_close(lv->rd);
	lv->rd = NULL;
	if (lv->prev)
		lv->prev->next = lv->next;
	else
		lv->handle->readers = lv->next;
	if (lv->next)
		lv->next->prev = lv->prev;
	lv->next = lv->prev = NULL;
}

/* ------------------------------------------------------------ record types */

static PyStructSequence_Field pv_fields[] = {
	{ "name", "its name in the VG's text (\"pv0\")" },
	{ "uuid", "its uuid" },
	{ "image", "the image holding it, None when missing" },
	{ "offset", "byte offset of its start in the image" },
	{ "missing", "True when no image supplies it (or several fit it equally)" },
	{ "nested_depth", "0 for a PV on an image given; N for one inside an LV N levels deep "
			  "(its image is then that LV's path, VG/LV)" },
	{ NULL, NULL },
};
static PyStructSequence_Desc pv_desc = { "mlvm.PhysicalVolume", "A PV of a VG.", pv_fields, 6 };

static PyStructSequence_Field gen_fields[] = {
	{ "vg_name", "the VG it belongs to, None when not recovered" },
	{ "vg_uuid", "that VG's uuid, None when not recovered" },
	{ "seqno", "its seqno, None when not recovered" },
	{ "image", "the image it was found in" },
	{ "offset", "absolute byte offset of its first byte in the image" },
	{ "size", "bytes recovered" },
	{ "state", "ok, fragment, incomplete, bad-checksum or unparsable" },
	{ "intact", "True when the state is ok: Handle.at_generation(seqno) opens it" },
	{ "committed", "True for the copy the area's header commits" },
	{ "description", "the text's description, None when not found" },
	{ "creation_host", "the text's creation_host, None when not found" },
	{ "creation_time", "the text's creation_time (seconds since 1970), None when not found" },
	{ NULL, NULL },
};
static PyStructSequence_Desc gen_desc = {
	"mlvm.Generation", "A metadata generation found in a metadata area.", gen_fields, 12
};

static PyStructSequence_Field warn_fields[] = {
	{ "severity", "notice, warning or error" },
	{ "code", "a short stable code" },
	{ "message", "what happened, in words" },
	{ "image", "the image it concerns, None when none" },
	{ "offset", "absolute byte offset in that image, None when none" },
	{ NULL, NULL },
};
static PyStructSequence_Desc warn_desc = {
	"mlvm.Warning", "Something the library noticed.", warn_fields, 5
};

/* fill seq with n new references (stolen); 0 or -1 */
static int fill(PyObject *seq, PyObject **v, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (!v[i])
			bad = 1;
	if (bad) {
		for (i = 0; i < n; i++)
			Py_XDECREF(v[i]);
		return -1;
	}
	for (i = 0; i < n; i++)
		PyStructSequence_SET_ITEM(seq, i, v[i]);
	return 0;
}

static PyObject *make_pv(struct libmlvm_handle *h, size_t vg, size_t pv)
{
	PyObject *o = PyStructSequence_New(&PhysicalVolumeType);
	PyObject *v[6];

	if (!o)
		return NULL;
	v[0] = str_or_none(libmlvm_pv_name(h, vg, pv));
	v[1] = str_or_none(libmlvm_pv_uuid(h, vg, pv));
	v[2] = str_or_none(libmlvm_pv_image(h, vg, pv));
	v[3] = PyLong_FromUnsignedLongLong(libmlvm_pv_offset(h, vg, pv));
	v[4] = PyBool_FromLong(libmlvm_pv_missing(h, vg, pv));
	v[5] = PyLong_FromUnsignedLong(libmlvm_pv_nested_depth(h, vg, pv));
	if (fill(o, v, 6)) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *make_gen(struct libmlvm_handle *h, size_t g)
{
	PyObject *o = PyStructSequence_New(&GenerationType);
	PyObject *v[12];
	uint64_t seqno, t;

	if (!o)
		return NULL;
	v[0] = str_or_none(libmlvm_generation_vg_name(h, g));
	v[1] = str_or_none(libmlvm_generation_vg_uuid(h, g));
	if (libmlvm_generation_seqno(h, g, &seqno) == 0)
		v[2] = PyLong_FromUnsignedLongLong(seqno);
	else {
		v[2] = Py_None;
		Py_INCREF(Py_None);
	}
	v[3] = str_or_none(libmlvm_generation_image(h, g));
	v[4] = PyLong_FromUnsignedLongLong(libmlvm_generation_offset(h, g));
	v[5] = PyLong_FromUnsignedLongLong(libmlvm_generation_size(h, g));
	v[6] = str_or_none(libmlvm_generation_state(h, g));
	v[7] = PyBool_FromLong(libmlvm_generation_intact(h, g));
	v[8] = PyBool_FromLong(libmlvm_generation_committed(h, g));
	v[9] = str_or_none(libmlvm_generation_description(h, g));
	v[10] = str_or_none(libmlvm_generation_creation_host(h, g));
	t = libmlvm_generation_creation_time(h, g);
	if (t)
		v[11] = PyLong_FromUnsignedLongLong(t);
	else {
		v[11] = Py_None;
		Py_INCREF(Py_None);
	}
	if (fill(o, v, 12)) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *make_warning(struct libmlvm_handle *h, size_t w)
{
	static const char *const sev[] = { "notice", "warning", "error" };
	PyObject *o = PyStructSequence_New(&WarningType);
	PyObject *v[5];
	int s = libmlvm_warning_severity(h, w);
	int64_t off = libmlvm_warning_offset(h, w);

	if (!o)
		return NULL;
	v[0] = PyUnicode_FromString(s >= 0 && s <= 2 ? sev[s] : "error");
	v[1] = str_or_none(libmlvm_warning_code(h, w));
	v[2] = str_or_none(libmlvm_warning_message(h, w));
	v[3] = str_or_none(libmlvm_warning_image(h, w));
	if (off >= 0)
		v[4] = PyLong_FromLongLong(off);
	else {
		v[4] = Py_None;
		Py_INCREF(Py_None);
	}
	if (fill(o, v, 5)) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

/* ------------------------------------------------------------ Handle */

static PyObject *new_vg(HandleObject *h, size_t vg)
{
	VGObject *o = PyObject_New(VGObject, &VolumeGroupType);

	if (!o)
		return NULL;
	Py_INCREF(h);
	o->handle = h;
	o->vg = vg;
	return (PyObject *)o;
}

static PyObject *new_lv(HandleObject *h, size_t vg, size_t lv)
{
	LVObject *o = PyObject_New(LVObject, &LogicalVolumeType);

	if (!o)
		return NULL;
	Py_INCREF(h);
	o->handle = h;
	o->vg = vg;
	o->lv = lv;
	o->rd = NULL;
	o->next = o->prev = NULL;
	return (PyObject *)o;
}

/* paths: a str/bytes/PathLike or a sequence of them -> tuple of str */
static PyObject *path_tuple(PyObject *paths)
{
	PyObject *seq, *out;
	Py_ssize_t i, n;

	if (PyUnicode_Check(paths) || PyBytes_Check(paths) || PyObject_HasAttrString(paths, "__fspath__"))
		seq = Py_BuildValue("(O)", paths);
	else
		seq = PySequence_Tuple(paths);
	if (!seq)
		return NULL;
	n = PyTuple_GET_SIZE(seq);
	if (n == 0) {
		Py_DECREF(seq);
		PyErr_SetString(PyExc_ValueError, "no image given");
		return NULL;
	}
	out = PyTuple_New(n);
	if (!out) {
		Py_DECREF(seq);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		PyObject *s = NULL;

		if (!PyUnicode_FSDecoder(PyTuple_GET_ITEM(seq, i), &s)) {
			Py_DECREF(seq);
			Py_DECREF(out);
			return NULL;
		}
		PyTuple_SET_ITEM(out, i, s);
	}
	Py_DECREF(seq);
	return out;
}

/* open paths (a tuple of str) into self; 0 or -1 with an exception */
static int handle_open(HandleObject *self, PyObject *paths, unsigned flags, PyObject *generation,
		       const char *vg, PyObject *copy_path, unsigned long long copy_off)
{
	PyObject *copy_enc = NULL;
	Py_ssize_t i, n = PyTuple_GET_SIZE(paths);
	PyObject **enc = PyMem_Calloc((size_t)n, sizeof(*enc));
	const char **cpaths = PyMem_Calloc((size_t)n, sizeof(*cpaths));
	unsigned long long seqno = 0;
	int rc = -1;

	if (!enc || !cpaths) {
		PyErr_NoMemory();
		goto out;
	}
	if (generation != Py_None) {
		seqno = PyLong_AsUnsignedLongLong(generation);
		if (PyErr_Occurred()) {
			if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
				PyErr_Clear();
				PyErr_SetString(PyExc_ValueError, "generation: a seqno is an integer from 0");
			}
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(paths, i), &enc[i]))
			goto out;
		cpaths[i] = PyBytes_AS_STRING(enc[i]);
		if (strlen(cpaths[i]) != (size_t)PyBytes_GET_SIZE(enc[i])) {
			PyErr_SetString(PyExc_ValueError, "an image path holds a NUL byte");
			goto out;
		}
	}
	if (copy_path && !PyUnicode_FSConverter(copy_path, &copy_enc))
		goto out;
	if (generation == Py_None)
		rc = libmlvm_open(cpaths, (size_t)n, flags, &self->h);
	else if (vg)
		rc = libmlvm_open_vg_generation(cpaths, (size_t)n, flags, vg, seqno,
						copy_enc ? PyBytes_AS_STRING(copy_enc) : NULL,
						copy_off, &self->h);
	else
		rc = libmlvm_open_generation(cpaths, (size_t)n, flags, seqno, &self->h);
	if (rc) {
		raise_lib(rc);
		rc = -1;
		goto out;
	}
	Py_INCREF(paths);
	self->paths = paths;
	self->flags = flags;
	Py_INCREF(generation);
	self->generation = generation;
	rc = 0;
out:
	if (enc)
		for (i = 0; i < n; i++)
			Py_XDECREF(enc[i]);
	PyMem_Free(enc);
	PyMem_Free(cpaths);
	Py_XDECREF(copy_enc);
	return rc;
}

static unsigned open_flags(int strict, int deep, int nested)
{
	return (strict ? LIBMLVM_OPEN_STRICT : 0) | (deep ? LIBMLVM_OPEN_DEEP : 0) |
	       (nested ? 0 : LIBMLVM_OPEN_NO_NESTED);
}

static int Handle_init(HandleObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "paths", "strict", "deep", "generation", "nested", "vg", "copy_at", NULL };
	PyObject *paths, *generation = Py_None, *t, *copy_at = Py_None, *copy_path = NULL;
	const char *vg = NULL;
	unsigned long long copy_off = 0;
	int strict = 0, deep = 0, nested = 1, rc;

	if (self->h) {
		PyErr_SetString(PyExc_ValueError, "the handle is open already");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ppOpzO:Handle", kwlist, &paths, &strict,
					 &deep, &generation, &nested, &vg, &copy_at))
		return -1;
	if (vg && generation == Py_None) {
		PyErr_SetString(PyExc_ValueError, "vg: the VG whose generation is opened: give generation too");
		return -1;
	}
	if (copy_at != Py_None) {
		if (!vg || !PyTuple_Check(copy_at) ||
		    !PyArg_ParseTuple(copy_at, "OK:copy_at", &copy_path, &copy_off)) {
			if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
				PyErr_Clear();
				PyErr_SetString(PyExc_ValueError,
						"copy_at: an (image path, byte offset) tuple, with vg and generation");
			}
			return -1;
		}
	}
	t = path_tuple(paths);
	if (!t)
		return -1;
	rc = handle_open(self, t, open_flags(strict, deep, nested), generation, vg, copy_path, copy_off);
	Py_DECREF(t);
	return rc;
}

static void handle_release(HandleObject *self)
{
	while (self->readers)
		reader_close(self->readers);
	libmlvm_close(self->h);
	self->h = NULL;
}

static void Handle_dealloc(HandleObject *self)
{
	handle_release(self);
	Py_XDECREF(self->paths);
	Py_XDECREF(self->generation);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *Handle_close(HandleObject *self, PyObject *unused)
{
	handle_release(self);
	Py_RETURN_NONE;
}

static PyObject *Handle_enter(HandleObject *self, PyObject *unused)
{
	if (!handle_ok(self))
		return NULL;
	Py_INCREF(self);
	return (PyObject *)self;
}

static PyObject *Handle_exit(HandleObject *self, PyObject *args)
{
	handle_release(self);
	Py_RETURN_FALSE;
}

static PyObject *Handle_at_generation(HandleObject *self, PyObject *seqno)
{
	HandleObject *o;

	if (!handle_ok(self))
		return NULL;
	if (!PyLong_Check(seqno)) {
		PyErr_SetString(PyExc_TypeError, "at_generation: the seqno is an int");
		return NULL;
	}
	o = (HandleObject *)HandleType.tp_alloc(&HandleType, 0);
	if (!o)
		return NULL;
	if (handle_open(o, self->paths, self->flags, seqno, NULL, NULL, 0)) {
		Py_DECREF(o);
		return NULL;
	}
	return (PyObject *)o;
}

static PyObject *Handle_get_vgs(HandleObject *self, void *closure)
{
	PyObject *t;
	size_t i, n;

	if (!handle_ok(self))
		return NULL;
	n = libmlvm_vg_count(self->h);
	t = PyTuple_New((Py_ssize_t)n);
	for (i = 0; t && i < n; i++) {
		PyObject *v = new_vg(self, i);

		if (!v) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
	}
	return t;
}

/* the generations of the handle, of one VG (uuid) when vg_uuid */
static PyObject *generations(HandleObject *self, const char *vg_uuid)
{
	PyObject *l;
	size_t i, n;

	if (!handle_ok(self))
		return NULL;
	n = libmlvm_generation_count(self->h);
	l = PyList_New(0);
	for (i = 0; l && i < n; i++) {
		const char *u = libmlvm_generation_vg_uuid(self->h, i);
		PyObject *g;

		if (vg_uuid && (!u || strcmp(u, vg_uuid)))
			continue;
		g = make_gen(self->h, i);
		if (!g || PyList_Append(l, g)) {
			Py_XDECREF(g);
			Py_DECREF(l);
			return NULL;
		}
		Py_DECREF(g);
	}
	return l;
}

static PyObject *Handle_get_generations(HandleObject *self, void *closure)
{
	return generations(self, NULL);
}

static PyObject *Handle_get_warnings(HandleObject *self, void *closure)
{
	PyObject *l;
	size_t i, n;

	if (!handle_ok(self))
		return NULL;
	n = libmlvm_warning_count(self->h);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		PyObject *w = make_warning(self->h, i);

		if (!w) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, w);
	}
	return l;
}

static PyObject *Handle_get_images(HandleObject *self, void *closure)
{
	if (!self->paths)
		return PyTuple_New(0);
	Py_INCREF(self->paths);
	return self->paths;
}

static PyObject *Handle_get_generation(HandleObject *self, void *closure)
{
	PyObject *g = self->generation ? self->generation : Py_None;

	Py_INCREF(g);
	return g;
}

static PyObject *Handle_get_closed(HandleObject *self, void *closure)
{
	return PyBool_FromLong(self->h == NULL);
}

static PyObject *Handle_vg(HandleObject *self, PyObject *name)
{
	const char *s;
	int i;

	if (!handle_ok(self))
		return NULL;
	s = PyUnicode_AsUTF8(name);
	if (!s)
		return NULL;
	i = libmlvm_vg_find(self->h, s);
	if (i < 0) {
		PyErr_Format(PyExc_KeyError, "no vg named %s", s);
		return NULL;
	}
	return new_vg(self, (size_t)i);
}

static PyMethodDef Handle_methods[] = {
	{ "close", (PyCFunction)(void (*)(void))Handle_close, METH_NOARGS,
	  "Close every reader and the images." },
	{ "__enter__", (PyCFunction)(void (*)(void))Handle_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)(void (*)(void))Handle_exit, METH_VARARGS, NULL },
	{ "at_generation", (PyCFunction)(void (*)(void))Handle_at_generation, METH_O,
	  "at_generation(seqno) -> Handle: the images opened again, each VG as of\n"
	  "its metadata generation seqno (removed LVs included). OSError when no VG\n"
	  "holds that generation intact." },
	{ "vg", (PyCFunction)(void (*)(void))Handle_vg, METH_O,
	  "vg(name) -> VolumeGroup; KeyError when there is none of that name." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef Handle_getset[] = {
	{ "vgs", (getter)Handle_get_vgs, NULL, "the VGs assembled (tuple of VolumeGroup)", NULL },
	{ "generations", (getter)Handle_get_generations, NULL,
	  "every metadata generation found (list of Generation)", NULL },
	{ "warnings", (getter)Handle_get_warnings, NULL,
	  "what the library noticed so far (list of Warning)", NULL },
	{ "images", (getter)Handle_get_images, NULL, "the image paths (tuple of str)", NULL },
	{ "generation", (getter)Handle_get_generation, NULL,
	  "the seqno the handle was opened as of, None for the newest", NULL },
	{ "closed", (getter)Handle_get_closed, NULL, "True after close()", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ VolumeGroup */

static void VG_dealloc(VGObject *self)
{
	Py_XDECREF(self->handle);
	PyObject_Free(self);
}

static PyObject *VG_get_name(VGObject *self, void *c)
{
	return handle_ok(self->handle) ? str_or_none(libmlvm_vg_name(self->handle->h, self->vg)) : NULL;
}

static PyObject *VG_get_uuid(VGObject *self, void *c)
{
	return handle_ok(self->handle) ? str_or_none(libmlvm_vg_uuid(self->handle->h, self->vg)) : NULL;
}

static PyObject *VG_get_seqno(VGObject *self, void *c)
{
	return handle_ok(self->handle) ?
		PyLong_FromUnsignedLongLong(libmlvm_vg_seqno(self->handle->h, self->vg)) : NULL;
}

static PyObject *VG_get_extent_size(VGObject *self, void *c)
{
	return handle_ok(self->handle) ?
		PyLong_FromUnsignedLongLong(libmlvm_vg_extent_size(self->handle->h, self->vg)) : NULL;
}

static PyObject *VG_get_gone(VGObject *self, void *c)
{
	return handle_ok(self->handle) ? PyBool_FromLong(libmlvm_vg_gone(self->handle->h, self->vg)) : NULL;
}

static PyObject *VG_get_pvs(VGObject *self, void *c)
{
	PyObject *t;
	size_t i, n;

	if (!handle_ok(self->handle))
		return NULL;
	n = libmlvm_pv_count(self->handle->h, self->vg);
	t = PyTuple_New((Py_ssize_t)n);
	for (i = 0; t && i < n; i++) {
		PyObject *p = make_pv(self->handle->h, self->vg, i);

		if (!p) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, p);
	}
	return t;
}

/* every LV, or only the visible ones */
static PyObject *vg_lvs(VGObject *self, int visible_only)
{
	PyObject *l;
	size_t i, n;

	if (!handle_ok(self->handle))
		return NULL;
	n = libmlvm_lv_count(self->handle->h, self->vg);
	l = PyList_New(0);
	for (i = 0; l && i < n; i++) {
		PyObject *o;

		if (visible_only && !libmlvm_lv_visible(self->handle->h, self->vg, i))
			continue;
		o = new_lv(self->handle, self->vg, i);
		if (!o || PyList_Append(l, o)) {
			Py_XDECREF(o);
			Py_DECREF(l);
			return NULL;
		}
		Py_DECREF(o);
	}
	if (l) {
		PyObject *t = PyList_AsTuple(l);

		Py_DECREF(l);
		return t;
	}
	return NULL;
}

static PyObject *VG_get_lvs(VGObject *self, void *c)
{
	return vg_lvs(self, 1);
}

static PyObject *VG_get_all_lvs(VGObject *self, void *c)
{
	return vg_lvs(self, 0);
}

static PyObject *VG_get_generations(VGObject *self, void *c)
{
	const char *u;

	if (!handle_ok(self->handle))
		return NULL;
	u = libmlvm_vg_uuid(self->handle->h, self->vg);
	if (!u)
		return PyList_New(0);
	return generations(self->handle, u);
}

static PyObject *VG_lv(VGObject *self, PyObject *name)
{
	const char *s;
	int i;

	if (!handle_ok(self->handle))
		return NULL;
	s = PyUnicode_AsUTF8(name);
	if (!s)
		return NULL;
	i = libmlvm_lv_find(self->handle->h, self->vg, s);
	if (i < 0) {
		PyErr_Format(PyExc_KeyError, "no lv named %s in vg %s", s,
			     libmlvm_vg_name(self->handle->h, self->vg));
		return NULL;
	}
	return new_lv(self->handle, self->vg, (size_t)i);
}

/* the VG of uuid in handle o (a new reference), or NULL with an exception */
static PyObject *vg_in(HandleObject *o, const char *uuid, const char *name, uint64_t seqno,
		       size_t *index)
{
	size_t i, n = libmlvm_vg_count(o->h);

	for (i = 0; i < n; i++) {
		const char *u = libmlvm_vg_uuid(o->h, i);

		if (u && !strcmp(u, uuid)) {
			*index = i;
			return new_vg(o, i);
		}
	}
	PyErr_Format(PyExc_FileNotFoundError, "vg %s has no intact metadata generation %llu in the images",
		     name, (unsigned long long)seqno);
	return NULL;
}

static PyObject *VG_at_generation(VGObject *self, PyObject *seqno)
{
	HandleObject *o;
	PyObject *vg;
	const char *u;
	size_t idx;

	if (!handle_ok(self->handle))
		return NULL;
	u = libmlvm_vg_uuid(self->handle->h, self->vg);
	o = (HandleObject *)Handle_at_generation(self->handle, seqno);
	if (!o)
		return NULL;
	vg = vg_in(o, u ? u : "", libmlvm_vg_name(self->handle->h, self->vg),
		   PyLong_AsUnsignedLongLong(seqno), &idx);
	Py_DECREF(o);
	return vg;
}

static PyObject *VG_repr(VGObject *self)
{
	if (!self->handle->h)
		return PyUnicode_FromString("<mlvm.VolumeGroup of a closed handle>");
	return PyUnicode_FromFormat("<mlvm.VolumeGroup %s seqno %llu>",
				    libmlvm_vg_name(self->handle->h, self->vg),
				    (unsigned long long)libmlvm_vg_seqno(self->handle->h, self->vg));
}

static PyMethodDef VG_methods[] = {
	{ "lv", (PyCFunction)(void (*)(void))VG_lv, METH_O,
	  "lv(name) -> LogicalVolume (hidden sub-LVs too); KeyError when there is none." },
	{ "at_generation", (PyCFunction)(void (*)(void))VG_at_generation, METH_O,
	  "at_generation(seqno) -> VolumeGroup: this VG as of its metadata generation\n"
	  "seqno, from the images opened again. OSError when it is not intact there." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef VG_getset[] = {
	{ "name", (getter)VG_get_name, NULL, "its name", NULL },
	{ "uuid", (getter)VG_get_uuid, NULL, "its uuid", NULL },
	{ "seqno", (getter)VG_get_seqno, NULL, "the seqno of the metadata it was built from", NULL },
	{ "extent_size", (getter)VG_get_extent_size, NULL, "extent size in bytes", NULL },
	{ "gone", (getter)VG_get_gone, NULL,
	  "True when no metadata area commits it any longer (shown as of its newest generation)", NULL },
	{ "pvs", (getter)VG_get_pvs, NULL, "its PVs (tuple of PhysicalVolume)", NULL },
	{ "lvs", (getter)VG_get_lvs, NULL, "its visible LVs, as lvs lists them (tuple of LogicalVolume)", NULL },
	{ "all_lvs", (getter)VG_get_all_lvs, NULL, "every LV, hidden sub-LVs too", NULL },
	{ "generations", (getter)VG_get_generations, NULL,
	  "the metadata generations of this VG found in the images (list of Generation)", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ LogicalVolume */

static void LV_dealloc(LVObject *self)
{
	reader_close(self);
	Py_XDECREF(self->handle);
	PyObject_Free(self);
}

static PyObject *LV_get_name(LVObject *self, void *c)
{
	return handle_ok(self->handle) ?
		str_or_none(libmlvm_lv_name(self->handle->h, self->vg, self->lv)) : NULL;
}

static PyObject *LV_get_uuid(LVObject *self, void *c)
{
	return handle_ok(self->handle) ?
		str_or_none(libmlvm_lv_uuid(self->handle->h, self->vg, self->lv)) : NULL;
}

static PyObject *LV_get_size(LVObject *self, void *c)
{
	return handle_ok(self->handle) ?
		PyLong_FromUnsignedLongLong(libmlvm_lv_size(self->handle->h, self->vg, self->lv)) : NULL;
}

static PyObject *LV_get_visible(LVObject *self, void *c)
{
	return handle_ok(self->handle) ?
		PyBool_FromLong(libmlvm_lv_visible(self->handle->h, self->vg, self->lv)) : NULL;
}

static PyObject *LV_get_vg_name(LVObject *self, void *c)
{
	return handle_ok(self->handle) ? str_or_none(libmlvm_vg_name(self->handle->h, self->vg)) : NULL;
}

static PyObject *LV_get_segment_types(LVObject *self, void *c)
{
	PyObject *t;
	size_t i, n;

	if (!handle_ok(self->handle))
		return NULL;
	n = libmlvm_lv_segment_count(self->handle->h, self->vg, self->lv);
	t = PyTuple_New((Py_ssize_t)n);
	for (i = 0; t && i < n; i++) {
		PyObject *s = str_or_none(libmlvm_lv_segment_type(self->handle->h, self->vg, self->lv, i));

		if (!s) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, s);
	}
	return t;
}

static int lv_reader(LVObject *self)
{
	int rc;

	if (!handle_ok(self->handle))
		return -1;
	if (self->rd)
		return 0;
	rc = libmlvm_lv_reader_open(self->handle->h, self->vg, self->lv, &self->rd);
	if (rc) {
		self->rd = NULL;
		raise_lib(rc);
		return -1;
	}
	self->next = self->handle->readers;
	self->prev = NULL;
	if (self->next)
		self->next->prev = self;
	self->handle->readers = self;
	return 0;
}

static PyObject *LV_read(LVObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "offset", "size", NULL };
	long long off, size;
	PyObject *b;
	int64_t got;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "LL:read", kwlist, &off, &size))
		return NULL;
	if (off < 0 || size < 0) {
		PyErr_SetString(PyExc_ValueError, "read: offset and size are not negative");
		return NULL;
	}
	if ((unsigned long long)size > MAX_READ) {
		PyErr_Format(PyExc_ValueError, "read: at most %zu bytes at a time", MAX_READ);
		return NULL;
	}
	if (lv_reader(self))
		return NULL;
	{
		uint64_t lvsize = libmlvm_lv_reader_size(self->rd);

		if ((uint64_t)off >= lvsize)
			size = 0;
		else if ((uint64_t)size > lvsize - (uint64_t)off)
			size = (long long)(lvsize - (uint64_t)off);
	}
	b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
	if (!b)
		return NULL;
	if (size == 0)
		return b;
	got = libmlvm_lv_reader_read(self->rd, PyBytes_AS_STRING(b), (size_t)size, (uint64_t)off);
	if (got < 0) {
		Py_DECREF(b);
		return raise_lib((int)got);
	}
	if (got != size && _PyBytes_Resize(&b, (Py_ssize_t)got))
		return NULL;
	return b;
}

static PyObject *LV_get_missing_ranges(LVObject *self, void *c)
{
	PyObject *l;
	size_t i, n;

	if (!handle_ok(self->handle))
		return NULL;
	if (!self->rd)
		return PyList_New(0);
	n = libmlvm_lv_reader_missing_count(self->rd);
	l = PyList_New((Py_ssize_t)n);
	for (i = 0; l && i < n; i++) {
		uint64_t s = 0, len = 0;
		PyObject *t;

		libmlvm_lv_reader_missing_range(self->rd, i, &s, &len);
		t = Py_BuildValue("(KK)", (unsigned long long)s, (unsigned long long)len);
		if (!t) {
			Py_DECREF(l);
			return NULL;
		}
		PyList_SET_ITEM(l, (Py_ssize_t)i, t);
	}
	return l;
}

static PyObject *LV_get_data_size(LVObject *self, void *c)
{
	if (lv_reader(self))
		return NULL;
	return PyLong_FromUnsignedLongLong(libmlvm_lv_reader_size(self->rd));
}

static PyObject *LV_open(LVObject *self, PyObject *unused)
{
	if (lv_reader(self))
		return NULL;
	Py_RETURN_NONE;
}

static PyObject *LV_at_generation(LVObject *self, PyObject *seqno)
{
	HandleObject *o;
	PyObject *vg, *lv = NULL;
	const char *vu, *lu, *lname;
	size_t idx, i, n;

	if (!handle_ok(self->handle))
		return NULL;
	vu = libmlvm_vg_uuid(self->handle->h, self->vg);
	lu = libmlvm_lv_uuid(self->handle->h, self->vg, self->lv);
	lname = libmlvm_lv_name(self->handle->h, self->vg, self->lv);
	o = (HandleObject *)Handle_at_generation(self->handle, seqno);
	if (!o)
		return NULL;
	vg = vg_in(o, vu ? vu : "", libmlvm_vg_name(self->handle->h, self->vg),
		   PyLong_AsUnsignedLongLong(seqno), &idx);
	if (!vg) {
		Py_DECREF(o);
		return NULL;
	}
	Py_DECREF(vg);
	n = libmlvm_lv_count(o->h, idx);
	for (i = 0; i < n; i++) {
		const char *u = libmlvm_lv_uuid(o->h, idx, i);

		if (u && lu && !strcmp(u, lu)) {
			lv = new_lv(o, idx, i);
			break;
		}
	}
	if (i == n)
		PyErr_Format(PyExc_FileNotFoundError, "lv %s (%s) is not in generation %S of vg %s",
			     lname, lu ? lu : "?", seqno, libmlvm_vg_name(o->h, idx));
	Py_DECREF(o);
	return lv;
}

static PyObject *LV_repr(LVObject *self)
{
	if (!self->handle->h)
		return PyUnicode_FromString("<mlvm.LogicalVolume of a closed handle>");
	return PyUnicode_FromFormat("<mlvm.LogicalVolume %s/%s size %llu>",
				    libmlvm_vg_name(self->handle->h, self->vg),
				    libmlvm_lv_name(self->handle->h, self->vg, self->lv),
				    (unsigned long long)libmlvm_lv_size(self->handle->h, self->vg, self->lv));
}

static PyMethodDef LV_methods[] = {
	{ "read", (PyCFunction)(void (*)(void))LV_read, METH_VARARGS | METH_KEYWORDS,
	  "read(offset, size) -> bytes: up to size bytes from offset (fewer at the\n"
	  "end of the LV). Parts that cannot be read are zeros and are listed in\n"
	  "missing_ranges; OSError when the LV cannot be read at all." },
	{ "open", (PyCFunction)(void (*)(void))LV_open, METH_NOARGS,
	  "open(): set up the reader now (read() does it on first use); problems\n"
	  "found are added to the handle's warnings." },
	{ "at_generation", (PyCFunction)(void (*)(void))LV_at_generation, METH_O,
	  "at_generation(seqno) -> LogicalVolume: this LV (by uuid) as its VG's\n"
	  "metadata generation seqno maps it, from the images opened again." },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef LV_getset[] = {
	{ "name", (getter)LV_get_name, NULL, "its name", NULL },
	{ "uuid", (getter)LV_get_uuid, NULL, "its uuid", NULL },
	{ "size", (getter)LV_get_size, NULL, "its size in bytes, as LVM2 reports it", NULL },
	{ "visible", (getter)LV_get_visible, NULL, "False for a hidden sub-LV", NULL },
	{ "vg_name", (getter)LV_get_vg_name, NULL, "the name of its VG", NULL },
	{ "segment_types", (getter)LV_get_segment_types, NULL,
	  "the type of each segment (tuple of str)", NULL },
	{ "data_size", (getter)LV_get_data_size, NULL,
	  "bytes read() reads over: size, except for an old-style snapshot, read as\n"
	  "its origin was (the origin's size); opens the reader", NULL },
	{ "missing_ranges", (getter)LV_get_missing_ranges, NULL,
	  "the (start, length) byte ranges that could not be read so far", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* ------------------------------------------------------------ types */

static PyTypeObject HandleType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mlvm.Handle",
	.tp_basicsize = sizeof(HandleObject),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Handle(paths, *, strict=False, deep=False, generation=None, nested=True,\n"
		  "       vg=None, copy_at=None)\n\n"
		  "Disk images opened read-only and the LVM2 volume groups they hold.\n"
		  "paths: one path or a sequence of them. strict refuses damage as LVM2\n"
		  "would; deep looks for PVs at every sector; generation opens each VG as\n"
		  "of that metadata seqno; nested=False does not look inside LVs for guest\n"
		  "disks (whose VGs are otherwise VGs of the handle, their PVs' image the\n"
		  "LV's path and nested_depth > 0). With vg (NAME, UUID or NAME@UUID) the\n"
		  "generation is that VG's alone, the others as they are now (a guest VG\n"
		  "with its host LV); copy_at=(image, byte) then reads the copy of that\n"
		  "generation starting there (mlvm --copy-at). OSError when an image cannot\n"
		  "be opened or (ENOENT) the VG has no such generation, or its copies tie.",
	.tp_new = PyType_GenericNew,
	.tp_init = (initproc)Handle_init,
	.tp_dealloc = (destructor)Handle_dealloc,
	.tp_methods = Handle_methods,
	.tp_getset = Handle_getset,
};

static PyTypeObject VolumeGroupType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mlvm.VolumeGroup",
	.tp_basicsize = sizeof(VGObject),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A volume group of a Handle.",
	.tp_dealloc = (destructor)VG_dealloc,
	.tp_repr = (reprfunc)VG_repr,
	.tp_methods = VG_methods,
	.tp_getset = VG_getset,
};

static PyTypeObject LogicalVolumeType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "mlvm.LogicalVolume",
	.tp_basicsize = sizeof(LVObject),
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A logical volume of a VolumeGroup.",
	.tp_dealloc = (destructor)LV_dealloc,
	.tp_repr = (reprfunc)LV_repr,
	.tp_methods = LV_methods,
	.tp_getset = LV_getset,
};

/* ------------------------------------------------------------ module */

static PyObject *mod_open(PyObject *mod, PyObject *args, PyObject *kw)
{
	return PyObject_Call((PyObject *)&HandleType, args, kw);
}

static PyObject *mod_version(PyObject *mod, PyObject *unused)
{
	return PyUnicode_FromString(libmlvm_version());
}

static PyMethodDef mod_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))mod_open, METH_VARARGS | METH_KEYWORDS,
	  "open(paths, *, strict=False, deep=False, generation=None, nested=True, vg=None, copy_at=None) -> Handle" },
	{ "version", (PyCFunction)(void (*)(void))mod_version, METH_NOARGS,
	  "version() -> str: the version of libmlvm" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef mlvm_module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "mlvm",
	.m_doc = "Read Linux LVM2 volumes from disk images, damaged ones too (libmlvm).",
	.m_size = -1,
	.m_methods = mod_methods,
};

PyMODINIT_FUNC PyInit_mlvm(void)
{
	PyObject *m;

	if (PyType_Ready(&HandleType) < 0 || PyType_Ready(&VolumeGroupType) < 0 ||
	    PyType_Ready(&LogicalVolumeType) < 0)
		return NULL;
	if (!PhysicalVolumeType.tp_name &&
	    (PyStructSequence_InitType2(&PhysicalVolumeType, &pv_desc) < 0 ||
	     PyStructSequence_InitType2(&GenerationType, &gen_desc) < 0 ||
	     PyStructSequence_InitType2(&WarningType, &warn_desc) < 0))
		return NULL;
	m = PyModule_Create(&mlvm_module);
	if (!m)
		return NULL;
	if (PyModule_AddStringConstant(m, "__version__", LIBMLVM_VERSION) < 0 ||
	    PyModule_AddObjectRef(m, "Handle", (PyObject *)&HandleType) < 0 ||
	    PyModule_AddObjectRef(m, "VolumeGroup", (PyObject *)&VolumeGroupType) < 0 ||
	    PyModule_AddObjectRef(m, "LogicalVolume", (PyObject *)&LogicalVolumeType) < 0 ||
	    PyModule_AddObjectRef(m, "PhysicalVolume", (PyObject *)&PhysicalVolumeType) < 0 ||
	    PyModule_AddObjectRef(m, "Generation", (PyObject *)&GenerationType) < 0 ||
	    PyModule_AddObjectRef(m, "Warning", (PyObject *)&WarningType) < 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
