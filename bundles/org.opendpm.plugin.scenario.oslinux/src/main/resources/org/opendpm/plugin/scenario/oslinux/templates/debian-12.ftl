<#-- OpenDPM answer file template: Debian 12 preseed (debian-installer).
     Rendered per machine with FreeMarker; an unknown variable is an error. Variables: docs/os-installation.md.
     Edit freely: this copy is yours and is never overwritten. -->
# Debian 12 preseed for ${machine.name}, made by OpenDPM
d-i debian-installer/locale string en_US.UTF-8
d-i keyboard-configuration/xkb-keymap select us
d-i netcfg/choose_interface select auto
d-i netcfg/get_hostname string ${machine.hostname}
d-i netcfg/get_domain string
d-i netcfg/hostname string ${machine.hostname}
<#if network.dhcp>
d-i netcfg/disable_autoconfig boolean false
<#else>
d-i netcfg/disable_autoconfig boolean true
d-i netcfg/get_ipaddress string ${network.address}
d-i netcfg/get_netmask string ${network.netmask}
d-i netcfg/get_gateway string ${network.gateway}
d-i netcfg/get_nameservers string ${network.nameserver}
d-i netcfg/confirm_static boolean true
</#if>
d-i hw-detect/load_firmware boolean false
d-i mirror/country string manual
d-i mirror/http/hostname string deb.debian.org
d-i mirror/http/directory string /debian
d-i mirror/http/proxy string
d-i passwd/make-user boolean false
d-i passwd/root-login boolean true
d-i passwd/root-password-crypted password ${rootPasswordHash}
d-i clock-setup/utc boolean true
d-i time/zone string Etc/UTC
d-i clock-setup/ntp boolean true
d-i partman-auto/disk string /dev/${disk}
d-i partman-auto/method string regular
d-i partman-auto/choose_recipe select atomic
d-i partman-lvm/device_remove_lvm boolean true
d-i partman-md/device_remove_md boolean true
d-i partman-partitioning/confirm_write_new_label boolean true
d-i partman/choose_partition select finish
d-i partman/confirm boolean true
d-i partman/confirm_nooverwrite boolean true
d-i apt-setup/cdrom/set-first boolean false
tasksel tasksel/first multiselect standard, ssh-server
d-i pkgsel/include string openjdk-17-jre-headless wget
d-i pkgsel/upgrade select none
popularity-contest popularity-contest/participate boolean false
d-i grub-installer/only_debian boolean true
d-i grub-installer/bootdev string /dev/${disk}
<#-- The agent joins this server; the built call comes last and tells OpenDPM the installation is done. -->
d-i preseed/late_command string \
 in-target mkdir -p /opt/opendpm; \
 in-target wget -q -O /opt/opendpm/opendpm-agent.jar ${agent.jarUrl}; \
 in-target sh -c 'printf "[Unit]\nDescription=OpenDPM agent\nAfter=network-online.target\n[Service]\nExecStart=/usr/bin/java -jar /opt/opendpm/opendpm-agent.jar --server ${agent.server}<#if agent.fingerprint?has_content> --server-fingerprint ${agent.fingerprint}</#if>\nRestart=always\n[Install]\nWantedBy=multi-user.target\n" > /etc/systemd/system/opendpm-agent.service'; \
 in-target systemctl enable opendpm-agent.service<#if builtUrl??>; \
 in-target wget -q -O /dev/null ${builtUrl}</#if>
d-i finish-install/reboot_in_progress note
