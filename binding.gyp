{
  "targets": [
    {
      "target_name": "husk_native",
      "sources": [
        "addon/src/addon.cc",
        "addon/src/errors.cc",
        "addon/src/misc.cc",
        "addon/src/spawn.cc",
        "addon/src/spawn_child.cc",
        "addon/src/seccomp.cc",
        "addon/src/cgroup.cc",
        "addon/src/helper_spawn.cc",
        "addon/common/idmap.cc",
        "addon/common/sdnotify.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "addon"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-lseccomp"]
    },
    {
      "target_name": "husk-monitor",
      "type": "executable",
      "sources": ["addon/monitor/main.cc", "addon/monitor/args.cc", "addon/monitor/util.cc", "addon/common/strio.cc", "addon/monitor/log.cc", "addon/monitor/relay.cc", "addon/monitor/pty.cc", "addon/monitor/attach.cc", "addon/monitor/clients.cc", "addon/monitor/container.cc", "addon/monitor/exit.cc", "addon/monitor/commands.cc", "addon/monitor/loop.cc", "addon/monitor/notify.cc", "addon/common/sdnotify.cc"],
      "include_dirs": ["addon"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      "target_name": "husk-net",
      "type": "executable",
      "sources": ["addon/net/main.cc", "addon/net/args.cc", "addon/net/util.cc", "addon/common/strio.cc", "addon/net/publish.cc", "addon/net/outbound.cc", "addon/net/tcp.cc", "addon/net/udp.cc", "addon/net/forward.cc", "addon/net/hold.cc", "addon/common/idmap.cc"],
      "include_dirs": ["addon"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables", "-ffunction-sections", "-fdata-sections"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      "target_name": "husk-init",
      "type": "executable",
      "sources": ["addon/init/init.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      "target_name": "husk-pause",
      "type": "executable",
      "sources": ["addon/pause/pause.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Os", "-fno-exceptions", "-fno-rtti", "-fno-asynchronous-unwind-tables"],
      "ldflags": ["-static", "-Wl,--gc-sections"]
    },
    {
      "target_name": "husk-userns",
      "type": "executable",
      "sources": ["addon/userns/main.cc", "addon/userns/errors.cc", "addon/userns/untar.cc", "addon/userns/layer_stream.cc", "addon/userns/merge.cc", "addon/userns/tar_writer.cc", "addon/userns/changes.cc", "addon/userns/rootfs.cc", "addon/userns/probe.cc", "addon/common/idmap.cc"],
      "include_dirs": ["addon"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-larchive", "-lz", "-lzstd", "-lnettle"]
    }
  ]
}
