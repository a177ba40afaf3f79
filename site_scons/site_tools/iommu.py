"""SCons tool: helpers for the project's plugins, tests and programs."""
import os


def _plugin(env, name, srcs):
    """A backend plugin: iommu-NAME.so in build/<flavour>/plugins, hidden
    visibility (only iommu_plugin_NAME is exported), no undefined symbols."""
    e = env.Clone()
    e.Append(CCFLAGS=['-fPIC', '-fvisibility=hidden'],
             LINKFLAGS=['-Wl,-z,defs'],
             CPPPATH=['#core/pt'])
    e['SHLIBPREFIX'] = ''
    # The page-table helpers of core/pt are compiled into every plugin
    # (a plugin links with -z defs and cannot reach the core's symbols).
    pt_dir = os.path.join(env['SRC_ROOT'], 'core', 'pt')
    objs = []
    if os.path.isdir(pt_dir):
        for f in sorted(os.listdir(pt_dir)):
            if f.endswith('.c'):
                objs.append(e.SharedObject('pt_' + f[:-2],
                                           e.File(os.path.join(pt_dir, f))))
    lib = e.SharedLibrary(os.path.join(env['PLUGIN_DIR'], 'iommu-' + name),
                          list(srcs) + objs)
    return lib


def _program_env(env):
    """Environment for programs linked against the static core."""
    e = env.Clone()
    e.MergeFlags(env['INIH_FLAGS'])
    e.Append(LIBS=['dl', 'pthread'],
             CPPDEFINES=[('IOMMU_PLUGIN_DIR', '\\"%s\\"' % env['PLUGIN_DIR']),
                         ('IOMMU_SRC_ROOT', '\\"%s\\"' % env['SRC_ROOT'])])
    return e


def _test(env, name, srcs, core):
    """A Criterion test program linked against the static core."""
    e = _program_env(env)
    e.MergeFlags(env['CRITERION_FLAGS'])
    return e.Program(name, srcs + [core])


def _tool(env, name, srcs, core):
    e = _program_env(env)
    return e.Program(name, srcs + [core])


def generate(env):
    env.AddMethod(_plugin, 'IommuPlugin')
    env.AddMethod(_test, 'IommuTest')
    env.AddMethod(_tool, 'IommuProgram')
    env.AddMethod(_program_env, 'IommuProgramEnv')


def exists(env):
    return True
