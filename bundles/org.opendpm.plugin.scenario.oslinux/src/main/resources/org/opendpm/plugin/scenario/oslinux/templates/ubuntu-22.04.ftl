<#-- OpenDPM answer file template: Ubuntu 22.04 autoinstall (Subiquity, cloud-init user-data).
     Rendered per machine with FreeMarker; an unknown variable is an error. Variables: docs/os-installation.md.
     Values are quoted as JSON strings, which YAML reads as they are. Edit freely: this copy is yours. -->
#cloud-config
# Ubuntu autoinstall for ${machine.name}, made by OpenDPM
autoinstall:
  version: 1
  locale: en_US.UTF-8
  keyboard:
    layout: us
  timezone: Etc/UTC
  identity:
    hostname: "${machine.hostname?json_string}"
    username: opendpm
    password: "${rootPasswordHash?json_string}"
  ssh:
    install-server: true
  network:
    version: 2
    ethernets:
      primary:
        match:
          macaddress: "${machine.mac?json_string}"
<#if network.dhcp>
        dhcp4: true
<#else>
        addresses: ["${network.address?json_string}/${network.prefix}"]
        routes:
          - to: default
            via: "${network.gateway?json_string}"
        nameservers:
          addresses: ["${network.nameserver?json_string}"]
</#if>
  storage:
    layout:
      name: lvm
      match:
        path: "/dev/${disk?json_string}"
  packages:
    - openjdk-17-jre-headless
    - wget
  user-data:
    chpasswd:
      expire: false
      users:
        - name: root
          password: "${rootPasswordHash?json_string}"
  late-commands:
    - curtin in-target -- mkdir -p /opt/opendpm
    - curtin in-target -- wget -q -O /opt/opendpm/opendpm-agent.jar "${agent.jarUrl?json_string}"
    - "curtin in-target -- sh -c 'printf \"[Unit]\\nDescription=OpenDPM agent\\nAfter=network-online.target\\n[Service]\\nExecStart=/usr/bin/java -jar /opt/opendpm/opendpm-agent.jar --server ${agent.server?json_string}<#if agent.fingerprint?has_content> --server-fingerprint ${agent.fingerprint?json_string}</#if>\\nRestart=always\\n[Install]\\nWantedBy=multi-user.target\\n\" > /etc/systemd/system/opendpm-agent.service'"
    - curtin in-target -- systemctl enable opendpm-agent.service
<#if builtUrl??>
    - curtin in-target -- wget -q -O /dev/null "${builtUrl?json_string}"
</#if>
