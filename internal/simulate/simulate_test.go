package simulate

import (
	"context"
	"encoding/json"
	"os"
	"testing"
)

func run(t *testing.T, cfg Config) *Result {
	t.Helper()
	cfg.TempDir = t.TempDir()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(cfg.TempDir)
	if err != nil || len(left) != 0 {
		t.Fatalf("the temporary database is removed: %v %v", left, err)
	}
	return res
}

func small() Config {
	cfg := Defaults()
	cfg.Elders, cfg.Days, cfg.Seed, cfg.WebhookFailureRate = 30, 3, 7, 0.3
	cfg.MissRate = 0.2 // enough missed greetings on a small street
	return cfg
}

// A small street for three days with a gateway failing 30% of attempts:
// every lone elder not greeted is alerted by 20:00 and reaches a person,
// nobody greeted is alerted, no message is lost.
func TestEveryMissedElderReachesAPerson(t *testing.T) {
	res := run(t, small())
	if res.MissedGreetings == 0 {
		t.Fatal("the street missed no greeting: the test proves nothing")
	}
	if res.Recall != 1 || res.AlertedByDeadline != res.MissedGreetings {
		t.Errorf("recall %v: %d of %d missed elders alerted and reached", res.Recall, res.AlertedByDeadline, res.MissedGreetings)
	}
	if res.FalseAlarms != 0 {
		t.Errorf("%d false alarms", res.FalseAlarms)
	}
	if res.MessagesLost != 0 || res.MessagesDelivered != res.MessagesCreated {
		t.Errorf("messages: %d created, %d delivered, %d lost", res.MessagesCreated, res.MessagesDelivered, res.MessagesLost)
	}
	if res.DeliveryFailures == 0 {
		t.Error("the gateway never failed: retries were not exercised")
	}
	if res.Alerts != res.MissedGreetings {
		t.Errorf("%d alerts for %d missed greetings", res.Alerts, res.MissedGreetings)
	}
	if len(res.PerDay) != 3 {
		t.Fatalf("per day: %+v", res.PerDay)
	}
	sum := 0
	for _, d := range res.PerDay {
		sum += d.MissedGreetings
		if d.Recall != 1 || d.FalseAlarms != 0 || d.MessagesLost != 0 {
			t.Errorf("day %+v", d)
		}
	}
	if sum != res.MissedGreetings {
		t.Errorf("the days add up to %d, the total is %d", sum, res.MissedGreetings)
	}
}

// The same seed gives the same figures, to the byte; another seed other ones.
func TestSameSeedSameResult(t *testing.T) {
	cfg := small()
	cfg.Elders, cfg.Days = 20, 2
	a, b := run(t, cfg), run(t, cfg)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("same seed, different results:\n%s\n%s", ja, jb)
	}
	other := cfg
	other.Seed = 8
	jc, _ := json.Marshal(run(t, other))
	if string(jc) == string(ja) {
		t.Fatalf("another seed, the same result: %s", jc)
	}
}

// Nobody greets anyone: every elder living alone is counted missed every
// day, and every one of them is alerted; the elders living with family are
// not.
func TestNobodyGreets(t *testing.T) {
	cfg := small()
	cfg.Elders, cfg.Days, cfg.MissRate, cfg.LateGreetRate = 20, 2, 1, 0
	res := run(t, cfg)
	alone := res.Alone
	if alone == 0 || alone == cfg.Elders {
		t.Fatalf("%d of %d elders alone: the test needs both kinds", alone, cfg.Elders)
	}
	if res.MissedGreetings != alone*cfg.Days {
		t.Errorf("missed %d, want every lone elder every day: %d", res.MissedGreetings, alone*cfg.Days)
	}
	if res.Alerts != alone*cfg.Days || res.AlertedByDeadline != res.MissedGreetings || res.FalseAlarms != 0 {
		t.Errorf("alerts %d, alerted %d, false alarms %d", res.Alerts, res.AlertedByDeadline, res.FalseAlarms)
	}
}

// A rate outside its range is refused before anything is built.
func TestBadConfig(t *testing.T) {
	for _, mod := range []func(*Config){
		func(c *Config) { c.Elders = 0 },
		func(c *Config) { c.Days = 0 },
		func(c *Config) { c.MissRate = 1.5 },
		func(c *Config) { c.WebhookFailureRate = 1 },
		func(c *Config) { c.WebhookFailureRate = -0.1 },
	} {
		cfg := small()
		mod(&cfg)
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

// The counts catch a fault: without the alert job nobody missed is
// alerted (recall 0); an alert about a greeted elder is a false alarm.
func TestBrokenVariantsAreCaught(t *testing.T) {
	cfg := small()
	cfg.Elders, cfg.Days = 20, 2
	cfg.noAlertJob = true
	res := run(t, cfg)
	if res.MissedGreetings == 0 || res.AlertedByDeadline != 0 || res.Recall != 0 {
		t.Errorf("no alert job: missed %d, alerted %d, recall %v", res.MissedGreetings, res.AlertedByDeadline, res.Recall)
	}
	cfg.noAlertJob, cfg.alertGreeted = false, true
	res = run(t, cfg)
	if res.FalseAlarms != cfg.Days || res.Recall != 1 {
		t.Errorf("an alert about a greeted elder each day: %d false alarms, recall %v", res.FalseAlarms, res.Recall)
	}
}
