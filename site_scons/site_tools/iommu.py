"""SCons tool: helpers for the project's plugins, tests and programs."""
import os


# The backend library of each build root (one flavour per scons run).
_plugin_libs = {}


def _plugin_lib(env):
    """plugins/lib as a static library of PIC objects with hidden symbols,
    built once per flavour into build/<flavour>/plugins/lib/libilib.a and
    linked into every plugin (and tests/lib).  None if plugins/lib has no
    sources."""
    root = env['BUILD_ROOT']
    if root in _plugin_libs:
        return _plugin_libs[root]
    src_dir = os.path.join(env['SRC_ROOT'], 'plugins', 'lib')
    out_dir = os.path.join(root, 'plugins', 'lib')
    srcs = []
    if os.path.isdir(src_dir):
        srcs = sorted(f for f in os.listdir(src_dir) if f.endswith('.c'))
    if not srcs:
        _plugin_libs[root] = None
        return None
    e = env.Clone()
    e.Append(CCFLAGS=['-fPIC', '-fvisibility=hidden'],
             CPPPATH=['#plugins/lib'])
    objs = [e.SharedObject(os.path.join(out_dir, f[:-2]),
                           e.File(os.path.join(src_dir, f)))
            for f in srcs]
    lib = e.StaticLibrary(os.path.join(out_dir, 'ilib'), objs)
    _plugin_libs[root] = lib
    return lib


def _plugin(env, name, srcs, outdir=None, tag=''):
    """A backend plugin: iommu-NAME.so in build/<flavour>/plugins, hidden
    visibility (only iommu_plugin_NAME is exported), no undefined symbols;
    core/pt and plugins/lib linked in."""
    e = env.Clone()
    # The fuzz flavour's sanitizer and coverage runtimes live in the fuzz
    # program (clang links them into executables only), so its plugins
    # leave those symbols undefined.
    e.Append(CCFLAGS=['-fPIC', '-fvisibility=hidden'],
             LINKFLAGS=[] if env['FLAVOUR'] == 'fuzz' else ['-Wl,-z,defs'],
             CPPPATH=['#core/pt', '#plugins/lib'])
    e['SHLIBPREFIX'] = ''
    # The page-table helpers of core/pt are compiled into every plugin
    # (a plugin links with -z defs and cannot reach the core's symbols).
    pt_dir = os.path.join(env['SRC_ROOT'], 'core', 'pt')
    objs = []
    if os.path.isdir(pt_dir):
        for f in sorted(os.listdir(pt_dir)):
            if f.endswith('.c'):
                objs.append(e.SharedObject(tag + 'pt_' + f[:-2],
                                           e.File(os.path.join(pt_dir, f)),
                                           CCFLAGS=e['CCFLAGS'] +
                                           e.get('PT_CCFLAGS', [])))
    # The backend library as -lilib, after the objects: the linker takes
    # from it only what the plugin uses.  (SCons refuses a static library
    # node among a shared library's sources.)
    blib = _plugin_lib(env)
    if blib:
        e.Append(LIBS=['ilib'],
                 LIBPATH=[os.path.join(env['BUILD_ROOT'], 'plugins', 'lib')])
    # @outdir, @tag: a second build of a plugin elsewhere (the tests build
    # one against the ABI 2.0 table sizes), its objects named apart.
    lib = e.SharedLibrary(os.path.join(outdir or env['PLUGIN_DIR'],
                                       'iommu-' + name),
                          list(srcs) + objs)
    if blib:
        e.Depends(lib, blib)
    if outdir is None:
        _plugins.setdefault(env['BUILD_ROOT'], []).extend(lib)
    return lib


# The backend plugins of each build root, for `scons install`.
_plugins = {}


def _installed_plugins(env):
    return list(_plugins.get(env['BUILD_ROOT'], []))


# The backend kit of each build root.
_kits = {}


def _backend_kit(env):
    """libiommu-backend.a: plugins/lib and the page-table engine (core/pt)
    as PIC objects with hidden visibility, what an outside plugin links to
    use the same helpers as the in-tree ones (installed with the headers
    under include/iommu/backend/)."""
    root = env['BUILD_ROOT']
    if root in _kits:
        return _kits[root]
    e = env.Clone()
    e.Append(CCFLAGS=['-fPIC', '-fvisibility=hidden'],
             CPPPATH=['#core/pt', '#plugins/lib'])
    out_dir = os.path.join(root, 'kit')
    objs = []
    for sub, tag in (('plugins/lib', 'lib_'), ('core/pt', 'pt_')):
        src_dir = os.path.join(env['SRC_ROOT'], sub)
        for f in sorted(os.listdir(src_dir)):
            if f.endswith('.c'):
                extra = e.get('PT_CCFLAGS', []) if tag == 'pt_' else []
                objs.append(e.SharedObject(
                    os.path.join(out_dir, tag + f[:-2]),
                    e.File(os.path.join(src_dir, f)),
                    CCFLAGS=e['CCFLAGS'] + extra))
    kit = e.StaticLibrary(os.path.join(out_dir, 'iommu-backend'), objs)
    _kits[root] = kit
    return kit


def _program_env(env):
    """Environment for programs linked against the static core."""
    e = env.Clone()
    e.MergeFlags(env['INIH_FLAGS'])
    e.Append(LIBS=['dl', 'pthread'],
             CPPDEFINES=[('IOMMU_PLUGIN_DIR', '\\"%s\\"' % env['PLUGIN_DIR']),
                         ('IOMMU_SRC_ROOT', '\\"%s\\"' % env['SRC_ROOT'])])
    return e


# One object per build directory (see _tsan_objs).
_tsan_shim = {}


def _tsan_objs(env):
    """Objects every test program of the tsan flavour links: without
    tests/stress/tsan_criterion.c, Criterion cannot place its shared arena
    beside TSan's shadow memory and most runs abort before the first test
    (that file says why and how)."""
    if env['FLAVOUR'] != 'tsan':
        return []
    root = env['BUILD_ROOT']
    if root not in _tsan_shim:
        src = env.File(os.path.join(env['SRC_ROOT'], 'tests', 'stress',
                                    'tsan_criterion.c'))
        _tsan_shim[root] = env.Object(
            os.path.join(root, 'tests', 'tsan_criterion.o'), src)
    return _tsan_shim[root]


def _test(env, name, srcs, core):
    """A Criterion test program linked against the static core."""
    e = _program_env(env)
    e.MergeFlags(env['CRITERION_FLAGS'])
    return e.Program(name, srcs + _tsan_objs(e) + [core])


def _tool(env, name, srcs, core):
    e = _program_env(env)
    return e.Program(name, srcs + [core])


def generate(env):
    env.AddMethod(_plugin, 'IommuPlugin')
    env.AddMethod(_plugin_lib, 'IommuPluginLib')
    env.AddMethod(_installed_plugins, 'IommuPlugins')
    env.AddMethod(_backend_kit, 'IommuBackendKit')
    env.AddMethod(_test, 'IommuTest')
    env.AddMethod(_tool, 'IommuProgram')
    env.AddMethod(_program_env, 'IommuProgramEnv')


def exists(env):
    return True
