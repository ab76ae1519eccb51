package conntrack

import (
	"reflect"
	"testing"

	"github.com/ctwire/ctwire/internal/schema"
)

// records maps the schema's record names to their Go types.
var records = map[string]reflect.Type{
	"Flow": reflect.TypeFor[Flow](), "Tuple": reflect.TypeFor[Tuple](), "ProtoInfo": reflect.TypeFor[ProtoInfo](),
	"TCPInfo": reflect.TypeFor[TCPInfo](), "DCCPInfo": reflect.TypeFor[DCCPInfo](), "SCTPInfo": reflect.TypeFor[SCTPInfo](),
	"Counters": reflect.TypeFor[Counters](), "Timestamp": reflect.TypeFor[Timestamp](), "NAT": reflect.TypeFor[NAT](),
	"SeqAdj": reflect.TypeFor[SeqAdj](), "Synproxy": reflect.TypeFor[Synproxy](), "Helper": reflect.TypeFor[Helper](),
	"SecCtx": reflect.TypeFor[SecCtx](), "Filter": reflect.TypeFor[Filter](), "Expect": reflect.TypeFor[Expect](),
	"ExpectNAT": reflect.TypeFor[ExpectNAT](), "StatsCPU": reflect.TypeFor[StatsCPU](),
	"StatsGlobal": reflect.TypeFor[StatsGlobal](), "StatsExp": reflect.TypeFor[StatsExp](),
}

// notAttributes are the record fields that no attribute fills: the
// nfgenmsg fields the message layer copies and the kept attributes.
var notAttributes = map[string]bool{"Flow.Family": true, "Expect.Family": true, "Flow.Extra": true,
	"Expect.Extra": true, "StatsCPU.CPU": true, "StatsExp.CPU": true}

// TestSchemaCoversRecords fails when a record has a field no schema row
// fills (a field added without its row), and when a row names a field
// its record lacks (which also stops the generated code compiling).
func TestSchemaCoversRecords(t *testing.T) {
	covered := map[string]bool{}
	for i := range schema.Sets {
		s := &schema.Sets[i]
		rt, ok := records[s.Record]
		if !ok {
			t.Errorf("set %s: record %s missing from the test's table", s.Name, s.Record)
			continue
		}
		named := func(f string) {
			if f == "" {
				return
			}
			if _, ok := rt.FieldByName(f); !ok {
				t.Errorf("set %s: %s has no field %s", s.Name, s.Record, f)
			}
			covered[s.Record+"."+f] = true
		}
		named(s.Present)
		for _, a := range s.Attrs {
			named(a.Field)
			named(a.Has)
			named(a.SizeField)
		}
	}
	for name, rt := range records {
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			k := name + "." + f.Name
			if f.IsExported() && !covered[k] && !notAttributes[k] {
				t.Errorf("%s is filled by no attribute of internal/schema: add its row", k)
			}
		}
	}
}
