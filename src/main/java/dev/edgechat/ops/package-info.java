/** Operations endpoints of every role: liveness, readiness of each dependency, Prometheus metrics. */
package dev.edgechat.ops;
